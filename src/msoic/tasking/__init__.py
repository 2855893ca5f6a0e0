"""The CCA tasking tracker: the NCA's Crime and Courts Act 2013 tasking for organised
immigration crime, its measures and thresholds (with revision history), and each force's and
ROCU's progress against them."""
