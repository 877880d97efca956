#!/usr/bin/python3
"""Parses Prometheus text (stdin) with the official client's parser; prints the samples as JSON.

Used by metrics.test.mjs: a parse error exits non-zero with the parser's message.
"""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

families = []
for family in text_string_to_metric_families(sys.stdin.read()):
    families.append({
        "name": family.name,
        "type": family.type,
        "samples": [{"name": s.name, "labels": s.labels, "value": s.value} for s in family.samples],
    })
json.dump(families, sys.stdout)
