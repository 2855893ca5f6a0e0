"""The library of the unit's products: guidance, guides, briefings, profiles, templates."""
