"""Pure dialing strategies and the discrete-event simulator that drives them."""
