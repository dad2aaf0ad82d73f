"""Routing benchmarks (issue 4): segmentation, macro-F1, throughput, latency, training at scale.

    .venv/bin/python benchmarks/routing.py segment     # jieba vs rjieba: speed, agreement
    .venv/bin/python benchmarks/routing.py quality     # 5-fold macro-F1 on real messages
    .venv/bin/python benchmarks/routing.py serve       # batch throughput, single-ticket p99
    .venv/bin/python benchmarks/routing.py train --count 530000   # time and peak memory

``quality`` and ``segment`` read the real messages in ../shared/data (evaluation only; the
product never needs them). Everything runs in this process on one core unless noted.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SILVER = ROOT.parent / "shared" / "data" / "messages_silver.csv"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dispatch.settings.base")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("DISPATCH_VAR_DIR", "/tmp/dispatch-bench-var")


def _pin_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})


def _silver() -> list[dict[str, str]]:
    with SILVER.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def segment(_: argparse.Namespace) -> None:
    from routing_model.segmenter import segmenter_get
    from routing_model.text import text_normalise

    _pin_one_core()
    texts = [text_normalise(f"{r['title']}\n{r['body']}") for r in _silver()]
    chars = sum(len(t) for t in texts)
    results = {}
    for backend in ("jieba", "rjieba"):
        seg = segmenter_get(backend=backend)
        seg.tokens("预热")
        started = time.perf_counter()
        results[backend] = [seg._cut(t) for t in texts]
        seconds = time.perf_counter() - started
        print(f"{backend:>7}: {chars / seconds:>12,.0f} chars/s  "
              f"{len(texts) / seconds:>9,.0f} messages/s  ({len(texts)} messages, {chars} chars)")
    same = sum(a == b for a, b in zip(results["jieba"], results["rjieba"], strict=True))
    print(f"identical segmentation: {same}/{len(texts)} = {same / len(texts):.1%}")


def quality(args: argparse.Namespace) -> None:
    from routing_model.baseline import baseline_cross_validate
    from routing_model.pipeline import RouterConfig
    from routing_model.segmenter import segmenter_get
    from routing_model.starter import generated_samples
    from routing_model.training import (
        TrainingSample,
        router_cross_validate,
        router_evaluate,
        router_train,
        samples_prepare,
    )

    rows = _silver()
    samples = [TrainingSample(text=f"{r['title']}\n{r['body']}", label=r["label_l1_silver"])
               for r in rows]
    print(f"real messages: {len(samples)}, 5-fold stratified, macro-F1 mean ± sd (pooled)")
    base = baseline_cross_validate(texts=[s.text for s in samples],
                                   labels=[s.label for s in samples], folds=5)
    print(f"  baseline jieba + TF-IDF + LinearSVC: {base.macro_f1_mean:.4f} ± "
          f"{base.macro_f1_std:.4f} (acc {base.pooled.accuracy:.4f}) {base.seconds:.0f} s")
    for backend in ("jieba", "rjieba"):
        seg = segmenter_get(backend=backend)
        prepared = samples_prepare(samples=samples, segmenter=seg)
        for features in ("word", "char", "union"):
            if backend == "jieba" and features == "char":
                continue  # character n-grams do not depend on the segmenter
            cv = router_cross_validate(prepared=prepared, config=RouterConfig(features=features),
                                       segmenter=seg, folds=5)
            print(f"  pipeline {backend:>6} {features:>5}: {cv.macro_f1_mean:.4f} ± "
                  f"{cv.macro_f1_std:.4f} (acc {cv.pooled.accuracy:.4f}) {cv.seconds:.0f} s")
    seg = segmenter_get()
    n = args.generated
    print(f"synthetic corpus, {n} generated requests (seed 2026), held-out = next seed:")
    for label in ("unit_code", "category_l1"):
        train = samples_prepare(samples=generated_samples(count=n, label=label), segmenter=seg)
        test = samples_prepare(samples=generated_samples(count=n // 5, seed=2027, label=label),
                               segmenter=seg)
        model = router_train(prepared=train, config=RouterConfig(), segmenter=seg).model
        held = router_evaluate(model=model, prepared=test)
        print(f"  {label:>11}: held-out generated accuracy {held.accuracy:.4f}, "
              f"macro-F1 {held.macro_f1:.4f}")
        if label == "category_l1":
            real = samples_prepare(samples=samples, segmenter=seg)
            on_real = router_evaluate(model=model, prepared=real)
            print(f"  {label:>11}: trained on generated, tested on the real messages: "
                  f"accuracy {on_real.accuracy:.4f}, macro-F1 {on_real.macro_f1:.4f}")


def serve(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from routing_model.gazetteer import gazetteer_get
    from routing_model.pipeline import RouterConfig, router_rows
    from routing_model.segmenter import segmenter_get
    from routing_model.starter import generated_samples
    from routing_model.text import text_normalise
    from routing_model.training import router_train, samples_prepare

    seg = segmenter_get(backend=args.segmenter)
    train = samples_prepare(samples=generated_samples(count=args.train), segmenter=seg)
    model = router_train(prepared=train, config=RouterConfig(), segmenter=seg).model
    gazetteer = gazetteer_get()
    # Real messages when present (their length is the real one), else generated text.
    if SILVER.exists():
        texts = [f"{r['title']}\n{r['body']}" for r in _silver()]
    else:
        texts = [s.text for s in generated_samples(count=5000, seed=99)]
    lengths = sorted(len(t) for t in texts)
    print(f"model: {len(model.labels)} labels, trained on {args.train} generated; "
          f"segmenter {args.segmenter}; texts: {len(texts)}, median {lengths[len(lengths) // 2]} "
          f"chars")
    _pin_one_core()

    def route(batch: list[str]) -> None:
        normalised = [text_normalise(t) for t in batch]
        tokens = [seg.tokens(t) for t in normalised]
        model.predict(router_rows(tokens=tokens, texts=normalised))
        for t in normalised:
            gazetteer.find(text=t)

    route(texts[:50])
    started = time.perf_counter()
    done = 0
    for start in range(0, len(texts), 500):
        route(texts[start:start + 500])
        done += len(texts[start:start + 500])
    seconds = time.perf_counter() - started
    print(f"batch (500 per call, one core): {done / seconds:,.0f} tickets/s")
    latencies = []
    for t in texts[:2000]:
        s = time.perf_counter()
        route([t])
        latencies.append((time.perf_counter() - s) * 1000)
    latencies.sort()
    print(f"one ticket at a time, warm: p50 {statistics.median(latencies):.2f} ms, "
          f"p99 {latencies[int(len(latencies) * 0.99)]:.2f} ms, max {latencies[-1]:.2f} ms")


def train(args: argparse.Namespace) -> None:
    from routing_model.pipeline import RouterConfig
    from routing_model.segmenter import segmenter_get
    from routing_model.starter import generated_samples
    from routing_model.training import router_train, samples_prepare

    started = time.perf_counter()
    samples = generated_samples(count=args.count)
    generated = time.perf_counter() - started
    seg = segmenter_get()
    prepared = samples_prepare(samples=samples, segmenter=seg)
    segmented = time.perf_counter() - started - generated
    del samples
    result = router_train(prepared=prepared, config=RouterConfig(features=args.features),
                          segmenter=seg)
    total = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.count} generated requests: generate {generated:.0f} s, segment "
          f"{segmented:.0f} s, fit {result.seconds:.0f} s, total {total:.0f} s; "
          f"peak RSS {peak:,.0f} MiB; {len(result.model.labels)} labels; "
          f"features {args.features}")


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="what", required=True)
    sub.add_parser("segment")
    q = sub.add_parser("quality")
    q.add_argument("--generated", type=int, default=20_000)
    s = sub.add_parser("serve")
    s.add_argument("--train", type=int, default=20_000)
    s.add_argument("--segmenter", default="rjieba", choices=("jieba", "rjieba"))
    t = sub.add_parser("train")
    t.add_argument("--count", type=int, default=530_000)
    t.add_argument("--features", default="union", choices=("word", "char", "union"))
    args = parser.parse_args()
    import django

    django.setup()
    {"segment": segment, "quality": quality, "serve": serve, "train": train}[args.what](args)


if __name__ == "__main__":
    main()
