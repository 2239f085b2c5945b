"""Time zones of contacts: from the address (state, ZIP) when given, else from the number.

The state table gives each state's main zone; a short ZIP3 table covers the parts of split
states that keep another zone (Florida's panhandle, East Tennessee, El Paso, ...). Numbers
whose area code spans several zones give no zone (the caller decides how to be careful).
"""

from __future__ import annotations

STATE_ZONES: dict[str, str] = {
    "AL": "America/Chicago",
    "AK": "America/Anchorage",
    "AZ": "America/Phoenix",
    "AR": "America/Chicago",
    "CA": "America/Los_Angeles",
    "CO": "America/Denver",
    "CT": "America/New_York",
    "DE": "America/New_York",
    "DC": "America/New_York",
    "FL": "America/New_York",
    "GA": "America/New_York",
    "HI": "Pacific/Honolulu",
    "ID": "America/Boise",
    "IL": "America/Chicago",
    "IN": "America/Indiana/Indianapolis",
    "IA": "America/Chicago",
    "KS": "America/Chicago",
    "KY": "America/New_York",
    "LA": "America/Chicago",
    "ME": "America/New_York",
    "MD": "America/New_York",
    "MA": "America/New_York",
    "MI": "America/Detroit",
    "MN": "America/Chicago",
    "MS": "America/Chicago",
    "MO": "America/Chicago",
    "MT": "America/Denver",
    "NE": "America/Chicago",
    "NV": "America/Los_Angeles",
    "NH": "America/New_York",
    "NJ": "America/New_York",
    "NM": "America/Denver",
    "NY": "America/New_York",
    "NC": "America/New_York",
    "ND": "America/Chicago",
    "OH": "America/New_York",
    "OK": "America/Chicago",
    "OR": "America/Los_Angeles",
    "PA": "America/New_York",
    "RI": "America/New_York",
    "SC": "America/New_York",
    "SD": "America/Chicago",
    "TN": "America/Chicago",
    "TX": "America/Chicago",
    "UT": "America/Denver",
    "VT": "America/New_York",
    "VA": "America/New_York",
    "WA": "America/Los_Angeles",
    "WV": "America/New_York",
    "WI": "America/Chicago",
    "WY": "America/Denver",
    "PR": "America/Puerto_Rico",
    "VI": "America/St_Thomas",
    "GU": "Pacific/Guam",
    "AS": "Pacific/Pago_Pago",
    "MP": "Pacific/Saipan",
}

# First three ZIP digits of areas whose zone differs from their state's main zone.
ZIP3_ZONES: dict[str, str] = {
    "324": "America/Chicago",  # FL panhandle (Panama City)
    "325": "America/Chicago",  # FL panhandle (Pensacola)
    "373": "America/New_York",  # East TN (Chattanooga)
    "374": "America/New_York",
    "376": "America/New_York",  # East TN (Johnson City)
    "377": "America/New_York",  # East TN (Knoxville)
    "378": "America/New_York",
    "379": "America/New_York",
    "420": "America/Chicago",  # West KY (Paducah)
    "421": "America/Chicago",  # Bowling Green
    "422": "America/Chicago",
    "423": "America/Chicago",  # Owensboro
    "424": "America/Chicago",  # Henderson
    "463": "America/Chicago",  # NW Indiana (Gary)
    "464": "America/Chicago",
    "476": "America/Chicago",  # SW Indiana (Evansville)
    "477": "America/Chicago",
    "575": "America/Denver",  # West SD (Rapid City)
    "576": "America/Denver",
    "577": "America/Denver",
    "586": "America/Denver",  # SW ND (Dickinson)
    "693": "America/Denver",  # West NE (Scottsbluff)
    "798": "America/Denver",  # El Paso
    "799": "America/Denver",
    "885": "America/Denver",
    "835": "America/Los_Angeles",  # North ID (Lewiston)
    "838": "America/Los_Angeles",  # North ID (Coeur d'Alene)
    "979": "America/Boise",  # East OR (Malheur County)
}


def zone_for_address(state: str, zip5: str) -> str | None:
    """The IANA zone for a US state and ZIP, or None when the state is unknown."""
    main = STATE_ZONES.get(state.strip().upper())
    if main is None:
        return None
    return ZIP3_ZONES.get(zip5[:3], main) if len(zip5) == 5 else main


def zone_from_candidates(zones: tuple[str, ...] | list[str]) -> str | None:
    """One zone from phonenumbers' candidates: the only one, else None (ambiguous/unknown)."""
    if len(zones) == 1 and zones[0] != "Etc/Unknown":
        return zones[0]
    return None
