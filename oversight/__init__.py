"""Pages that combine several apps for those who oversee the programme: the dashboard and the
audit trail (later the annual evaluation). An app of its own on top of pairing and reporting, so
nothing below imports it."""
