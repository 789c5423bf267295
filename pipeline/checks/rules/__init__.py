"""The check rules, one module per subject; every module here is imported to register its
rules, so a new module needs no other edit."""
