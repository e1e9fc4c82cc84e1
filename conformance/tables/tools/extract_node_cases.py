#!/usr/bin/env python3
"""Extract TestNodeAuthorizer's cases from upstream's node_authorizer_test.go as data.

Reads the upstream test file (path in argv[1]) and prints a JSON array of cases:
{name, user, verb, group, resource, subresource, name_attr, namespace, fieldSelector,
 expect, expectReason, features}. Only the case table is read; no code is reproduced.
"""
import json
import re
import sys

src = open(sys.argv[1]).read()
start = src.index("func TestNodeAuthorizer(t *testing.T)")
body = src[start:]
table = body[body.index("}{", body.index("tests := []struct")) + 2: body.index("for _, tc := range tests")]

users = {"node0": "system:node:node0", "nodeunregistered": "system:node:nodeunregistered"}
cases = []
for block in re.split(r"\n\t\t\{\n", table):
    m = re.search(r'name:\s*"((?:[^"\\]|\\.)*)"', block)
    if not m:
        continue
    case = {"name": m.group(1)}
    attrs = re.search(r"attrs:\s*authorizer\.AttributesRecord\{(.*)\},?\n", block).group(1)
    constants = {"corev1.NamespaceNodeLease": "kube-node-lease"}
    def field(key):
        mm = re.search(r"\b" + key + r':\s*"([^"]*)"', attrs)
        if mm:
            return mm.group(1)
        mm = re.search(r"\b" + key + r":\s*([A-Za-z0-9_.]+)", attrs)
        if mm:
            return constants[mm.group(1)]  # an unknown constant is an error
        return ""
    case["user"] = users[re.search(r"User:\s*(\w+)", attrs).group(1)]
    for key, out in [("Verb", "verb"), ("APIGroup", "group"), ("Resource", "resource"), ("Subresource", "subresource"),
                     ("Name", "name_attr"), ("Namespace", "namespace")]:
        case[out] = field(key)
    fs = re.search(r'mustParseFields\("([^"]*)"\)', attrs)
    if fs:
        case["fieldSelector"] = fs.group(1)
    reqs = re.findall(r'\{Field:\s*"([^"]*)",\s*Operator:\s*"([^"]*)",\s*Value:\s*"([^"]*)"\}', attrs)
    if reqs:
        case["fieldSelector"] = ",".join(f + op + v for f, op, v in reqs)
    case["expect"] = re.search(r"expect:\s*authorizer\.Decision(\w+)", block).group(1)
    er = re.search(r'expectReason:\s*"((?:[^"\\]|\\.)*)"', block)
    er2 = re.search(r"expectReason:\s*fmt\.Sprintf\(", block)
    case["expectReason"] = json.loads('"' + er.group(1) + '"') if er else ""
    if er2:
        case["expectReason"] = None  # computed in the test; not restated
    feat = re.search(r"features:\s*(\w+)", block)
    case["features"] = feat.group(1) if feat and feat.group(1) != "nil" else ""
    cases.append(case)
json.dump(cases, sys.stdout, indent=1)
