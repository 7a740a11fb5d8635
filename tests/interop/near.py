#!/usr/bin/env python3
"""Brute force over a GeoNames dump: ids (gn_ID) of the rows within KM km of
the row with geonameid CENTER, haversine with R = 6371.0088 km (SPEC 8.3).
Independent of fakt: reads the raw tab-separated file.
Usage: near.py FILE CENTER KM"""
import math, sys

path, center, km = sys.argv[1], sys.argv[2], float(sys.argv[3])
rows = []
for line in open(path, encoding='utf-8'):
    f = line.rstrip('\n').split('\t')
    rows.append((f[0], math.radians(float(f[4])), math.radians(float(f[5]))))
lat0, lon0 = next((la, lo) for i, la, lo in rows if i == center)
for i, la, lo in rows:
    a = math.sin((la - lat0) / 2) ** 2 + math.cos(lat0) * math.cos(la) * math.sin((lo - lon0) / 2) ** 2
    if 2 * 6371.0088 * math.asin(math.sqrt(a)) <= km:
        print('gn_' + i)
