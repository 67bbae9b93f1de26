"""Training sign-in and online exam system of the Beijing HR services industry association."""
