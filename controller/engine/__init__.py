"""The running system: bank runners, volunteer sessions, the event bus."""
