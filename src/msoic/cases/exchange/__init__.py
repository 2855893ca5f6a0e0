"""The HTCDS exchange: export as an audited disclosure, import of a partner's file."""
