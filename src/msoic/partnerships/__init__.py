"""Anti-slavery partnerships of forces and partner organisations, and their meetings."""
