"""CPS case outcomes, linked to the investigation register with Splink (issue 15)."""
