"""Reads and writes HOGDescriptor files in OpenCV's FileStorage formats (YAML
and XML, as cv2.HOGDescriptor.save writes them), so files move both ways
between hogkit and OpenCV. Only the one object type is handled."""
import os
import re
import xml.etree.ElementTree as ET

import numpy as np

_TYPE = "opencv-object-detector-hog"
_ORDER = ("winSize", "blockSize", "blockStride", "cellSize", "nbins", "derivAperture",
          "winSigma", "histogramNormType", "L2HysThreshold", "gammaCorrection", "nlevels",
          "signedGradient")


def _default_name(filename):
    """cv::FileStorage::getDefaultObjectName: the file's stem, made a legal name."""
    stem = os.path.basename(filename).split(".")[0]
    name = "".join(c if c.isalnum() or c == "_" else "_" for c in stem)
    if not name or not (name[0].isalpha() or name[0] == "_"):
        name = "_" + name
    return name


def _fields(hog):
    return [("winSize", list(hog.winSize)), ("blockSize", list(hog.blockSize)),
            ("blockStride", list(hog.blockStride)), ("cellSize", list(hog.cellSize)),
            ("nbins", int(hog.nbins)), ("derivAperture", int(hog.derivAperture)),
            ("winSigma", float(hog.getWinSigma())),
            ("histogramNormType", int(hog.histogramNormType)),
            ("L2HysThreshold", float(hog.L2HysThreshold)),
            ("gammaCorrection", int(bool(hog.gammaCorrection))), ("nlevels", int(hog.nlevels)),
            ("signedGradient", int(bool(hog.signedGradient)))]


def _num(v):
    if isinstance(v, float):
        return repr(v)
    return str(v)


def write_hog_file(hog, filename, objname=""):
    name = objname or _default_name(filename)
    det = np.asarray(hog.svmDetector, dtype=np.float32).reshape(-1)
    fields = _fields(hog)
    if filename.endswith((".xml", ".XML")):
        lines = ['<?xml version="1.0"?>', "<opencv_storage>", f'<{name} type_id="{_TYPE}">']
        for k, v in fields:
            text = " ".join(map(_num, v)) if isinstance(v, list) else _num(v)
            lines.append(f"  <{k}>{text}</{k}>")
        if det.size:
            lines.append("  <SVMDetector>")
            for i in range(0, det.size, 5):
                lines.append("    " + " ".join("%.9e" % x for x in det[i:i + 5]))
            lines.append("  </SVMDetector>")
        lines += [f"</{name}>", "</opencv_storage>"]
    else:
        lines = ["%YAML:1.0", "---", f"{name}: !!{_TYPE}"]
        for k, v in fields:
            text = "[ " + ", ".join(map(_num, v)) + " ]" if isinstance(v, list) else _num(v)
            lines.append(f"   {k}: {text}")
        if det.size:
            body = ",\n       ".join(", ".join("%.9e" % x for x in det[i:i + 4])
                                     for i in range(0, det.size, 4))
            lines.append(f"   SVMDetector: [ {body} ]")
    tmp = filename + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, filename)


def _value(text):
    items = [t for t in re.split(r"[\s,]+", text.strip().strip("[]")) if t]
    vals = [float(t) if re.search(r"[.eE]|nan|inf", t) else int(t) for t in items]
    return vals


def _read_xml(text, objname):
    root = ET.fromstring(text)
    nodes = list(root)
    node = root.find(objname) if objname else (nodes[0] if nodes else None)
    if node is None:
        raise ValueError("no HOGDescriptor node")
    return {child.tag: _value(child.text or "") for child in node}


def _read_yaml(text, objname):
    lines = text.splitlines()
    start = None
    for i, line in enumerate(lines):
        m = re.match(r"^([A-Za-z_]\w*)\s*:", line)
        if m and (not objname or m.group(1) == objname):
            start = i + 1
            break
    if start is None:
        raise ValueError("no HOGDescriptor node")
    body = []
    for line in lines[start:]:
        if line and not line[0].isspace():
            break
        body.append(line)
    out = {}
    for m in re.finditer(r"(\w+)\s*:\s*(\[[^\]]*\]|[^\n]*)", "\n".join(body)):
        out[m.group(1)] = _value(m.group(2))
    return out


def read_hog_file(filename, objname=""):
    """The fields of a saved HOGDescriptor: sizes as lists, scalars as numbers,
    SVMDetector as a float32 array (absent when the file has none)."""
    with open(filename, "r") as f:
        text = f.read()
    raw = _read_xml(text, objname) if text.lstrip().startswith("<?xml") \
        else _read_yaml(text, objname)
    if "winSize" not in raw:
        raise ValueError("not a HOGDescriptor file")
    out = {}
    for k, v in raw.items():
        if k == "SVMDetector":
            out[k] = np.asarray(v, dtype=np.float32)
        elif k in ("winSize", "blockSize", "blockStride", "cellSize"):
            if len(v) != 2:
                raise ValueError(f"{k} needs two numbers")
            out[k] = (int(v[0]), int(v[1]))
        elif k in _ORDER:
            if len(v) != 1:
                raise ValueError(f"{k} needs one number")
            out[k] = v[0]
    return out
