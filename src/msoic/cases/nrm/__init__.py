"""The NRM picture: the register's referrals and decisions, suppressed for release."""
