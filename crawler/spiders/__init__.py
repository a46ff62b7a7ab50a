"""One spider module per site family (Hanweb, TRS, Fujian…)."""
