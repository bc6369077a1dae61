"""The dashboard's screens: main, search, feeds, help, one development, a confirmation."""
