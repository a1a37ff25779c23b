//! Unit tests of SPEC §1 rules (loading, validation, merging).
