"""The investigation register: investigations and the people on them, the bulk import,
and the figures some forces derive from it (direct data entry)."""
