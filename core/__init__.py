"""The bottom of the import graph: what every app needs and no app owns.

Accounts (who acts for which school or town, and their notices), roles, the policy (who may see
or do what, as named permissions), the month value, upload checks and the workbook reader.
`core` imports no app of the portal; every app may import it.
"""
