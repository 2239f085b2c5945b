"""Asterisk: AMI, FastAGI, actions, channel tracking, config rendering and runtime."""
