"""Operations supported: the log of support the unit and its regional coordinators give to
force operations, with financial outcomes, and its counts by year, region and support type."""
