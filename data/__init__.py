"""capopt data layer: read and validate input workbooks, write result workbooks.

Free of Pyomo by design: data flows workbook -> data -> models -> optimizer -> data.
"""
