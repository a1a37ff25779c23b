//! Unit tests of SPEC §2–§3 rules (domains, statuses, causes, paths).
