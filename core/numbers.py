"""How the portal writes a number as text (API totals, bounds in messages, the audit trail, the form's
initial values): 31 rather than 31.00, 2.5 rather than 2.50, whatever the database's sum returned."""

from decimal import Decimal


def plain_number(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
