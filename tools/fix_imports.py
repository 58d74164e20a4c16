#!/usr/bin/env python3
"""One-off helper for the re-layering: sets each Swift file's `import Lexel*` lines to the modules whose public
top-level names the file uses, among the modules its target may depend on (docs/architecture.md)."""
import os, re, sys
from lexel_tools import no_options
no_options(__doc__)
ROOT = os.path.join(os.path.dirname(__file__), "..", "Sources")
ALLOWED = {
    "LexelCore": [],
    "LexelKernels": ["CKernels"],
    "LexelContainer": ["LexelCore"],
    "LexelIO": ["LexelCore"],
    "LexelText": ["LexelCore", "LexelKernels", "LexelIO"],
    "LexelTraining": ["LexelCore", "LexelKernels", "LexelIO", "LexelText"],
    "LexelVectors": ["LexelCore", "LexelKernels", "LexelIO", "LexelText"],
    "LexelStore": ["LexelCore", "LexelKernels", "LexelContainer", "LexelIO", "LexelText", "LexelVectors"],
    "LexelLexical": ["LexelCore", "LexelKernels", "LexelContainer", "LexelIO", "LexelText"],
}
decl = re.compile(r"^(?:@\w+(?:\([^)]*\))?\s+)*public\s+(?:final\s+)?(?:class|struct|enum|protocol|func|var|let|typealias)\s+([A-Za-z_]\w*)", re.M)
names = {}
for mod in ALLOWED:
    for dp, _, fs in os.walk(os.path.join(ROOT, mod)):
        for f in fs:
            if f.endswith(".swift"):
                src = open(os.path.join(dp, f)).read()
                names.setdefault(mod, set()).update(decl.findall(src))
extra = {"LexelKernels": {"Kernels", "Gemm"}, "LexelContainer": {"appendLE", "replacingNewlines"}}
for m, s in extra.items(): names.setdefault(m, set()).update(s)
for mod, allowed in ALLOWED.items():
    for dp, _, fs in os.walk(os.path.join(ROOT, mod)):
        for f in fs:
            if not f.endswith(".swift"): continue
            p = os.path.join(dp, f)
            src = open(p).read()
            body = re.sub(r"^import Lexel\w+\n", "", src, flags=re.M)
            code = re.sub(r"//.*", "", body)
            need = [m for m in allowed if m.startswith("Lexel") and any(re.search(r"\b%s\b" % re.escape(n), code) for n in names.get(m, ()))]
            lines = "".join("import %s\n" % m for m in sorted(need))
            # put the imports after the leading #if block / other imports
            m = re.match(r"((?:(?:import \w+|#if [^\n]*|#elseif [^\n]*|#else|#endif)\n)*)", body)
            head = m.group(1)
            new = head + lines + body[len(head):] if lines else body
            if new != src:
                open(p, "w").write(new)
