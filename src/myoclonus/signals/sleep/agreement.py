"""Event agreement between two scorings: one-to-one matching by overlap, precision, recall, F1."""
from __future__ import annotations

__all__ = ["match_events"]


def _iou(a: tuple[float, float], b: tuple[float, float]) -> float:
    inter = min(a[1], b[1]) - max(a[0], b[0])
    if inter <= 0:
        return 0.0
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union > 0 else 1.0


def match_events(detected: list[tuple[float, float]], reference: list[tuple[float, float]], *,
                 min_iou: float = 0.0) -> dict:
    """Match detected to reference events one-to-one, greedily by intersection over union.

    Two events can match when they overlap (IoU > ``min_iou``; with the default 0 any overlap
    counts). Returns ``tp``, ``fp``, ``fn``, ``precision``, ``recall``, ``f1`` and ``pairs``
    (index pairs detected -> reference). Empty inputs give precision/recall/F1 of 1 when both are
    empty and 0 otherwise.
    """
    candidates = []
    for i, d in enumerate(detected):
        for j, r in enumerate(reference):
            if d[0] < r[1] and r[0] < d[1]:
                iou = _iou(d, r)
                if iou > min_iou:
                    candidates.append((iou, i, j))
    candidates.sort(reverse=True)
    used_d: set[int] = set()
    used_r: set[int] = set()
    pairs = []
    for _, i, j in candidates:
        if i in used_d or j in used_r:
            continue
        used_d.add(i)
        used_r.add(j)
        pairs.append((i, j))
    tp = len(pairs)
    fp = len(detected) - tp
    fn = len(reference) - tp
    if not detected and not reference:
        precision = recall = f1 = 1.0
    else:
        precision = tp / len(detected) if detected else 0.0
        recall = tp / len(reference) if reference else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall, "f1": f1, "pairs": sorted(pairs)}
