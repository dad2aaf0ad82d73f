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
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SILVER = ROOT.parent / "shared" / "data" / "messages_silver.csv"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dispatch.settings.base")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("DISPATCH_VAR_DIR", tempfile.mkdtemp(prefix="dispatch-bench-"))


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
    from demo.starter import generated_samples
    from routing_model.baseline import baseline_cross_validate
    from routing_model.pipeline import RouterConfig
    from routing_model.segmenter import segmenter_get
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
        if backend == "rjieba":
            # The streaming solver that "auto" uses above 20,000 samples, forced here.
            for epochs in (1, 0):
                config = RouterConfig(solver="sgd", sgd_epochs=epochs)
                cv = router_cross_validate(prepared=prepared, config=config, segmenter=seg,
                                           folds=5)
                print(f"  pipeline rjieba union, sgd, {epochs or 'auto'} epochs: "
                      f"{cv.macro_f1_mean:.4f} ± {cv.macro_f1_std:.4f} "
                      f"(acc {cv.pooled.accuracy:.4f}) {cv.seconds:.0f} s")
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
    """The product's serving function, router_predict_batch / router_predict, with a model
    registered and promoted as in production (its own SQLite database in a temporary dir)."""
    import django

    django.setup()
    from django.core.management import call_command

    from demo.starter import generated_samples
    from routing_model.pipeline import RouterConfig, solver_choose
    from routing_model.registry import model_version_promote, model_version_register
    from routing_model.segmenter import segmenter_get
    from routing_model.serving import RouteRequest, router_predict, router_predict_batch
    from routing_model.training import router_train, samples_prepare

    call_command("migrate", verbosity=0)
    seg = segmenter_get(backend=args.segmenter)
    train = samples_prepare(samples=generated_samples(count=args.train), segmenter=seg)
    result = router_train(prepared=train, config=RouterConfig(), segmenter=seg)
    del train
    version = model_version_register(model=result.model, samples=result.samples,
                                     source="benchmark", metrics={})
    model_version_promote(version=version.version)
    # Real messages when present (their length is the real one), else generated text.
    if SILVER.exists():
        requests = [RouteRequest(title=r["title"], content=r["body"]) for r in _silver()]
    else:
        requests = [RouteRequest(title="", content=s.text)
                    for s in generated_samples(count=5000, seed=99)]
    lengths = sorted(len(f"{r.title}\n{r.content}") for r in requests)
    print(f"model: {len(result.model.labels)} labels, trained on {args.train} generated "
          f"(solver {solver_choose(config=result.model.config, samples=result.samples)}, "
          f"fit {result.seconds:.0f} s); segmenter "
          f"{args.segmenter}; texts: {len(requests)}, median {lengths[len(lengths) // 2]} chars")
    _pin_one_core()
    router_predict_batch(requests[:50])  # loads the active model, as a worker's first ticket
    started = time.perf_counter()
    done = 0
    for start in range(0, len(requests), 500):
        done += len(router_predict_batch(requests[start:start + 500]))
    seconds = time.perf_counter() - started
    print(f"batch (500 per call, one core): {done / seconds:,.0f} tickets/s")
    latencies = []
    for request in requests[:2000]:
        s = time.perf_counter()
        router_predict(request)
        latencies.append((time.perf_counter() - s) * 1000)
    latencies.sort()
    print(f"one ticket at a time, warm: p50 {statistics.median(latencies):.2f} ms, "
          f"p99 {latencies[int(len(latencies) * 0.99)]:.2f} ms, max {latencies[-1]:.2f} ms")


def train(args: argparse.Namespace) -> None:
    from demo.starter import generated_samples
    from routing_model.pipeline import RouterConfig, solver_choose
    from routing_model.segmenter import segmenter_get
    from routing_model.training import router_evaluate, router_train, samples_prepare

    started = time.perf_counter()
    samples = generated_samples(count=args.count)
    generated = time.perf_counter() - started
    seg = segmenter_get()
    prepared = samples_prepare(samples=samples, segmenter=seg)
    segmented = time.perf_counter() - started - generated
    del samples
    config = RouterConfig(features=args.features, solver=args.solver, sgd_epochs=args.epochs)
    result = router_train(prepared=prepared, config=config, segmenter=seg)
    total = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    del prepared
    held = router_evaluate(model=result.model, prepared=samples_prepare(
        samples=generated_samples(count=4000, seed=2027), segmenter=seg))
    print(f"{args.count} generated requests: generate {generated:.0f} s, segment "
          f"{segmented:.0f} s, fit {result.seconds:.0f} s, total {total:.0f} s; "
          f"peak RSS {peak:,.0f} MiB; {len(result.model.labels)} labels; "
          f"features {args.features}; solver {solver_choose(config=config, samples=args.count)}; "
          f"held-out generated (4,000, seed 2027): unit accuracy {held.accuracy:.4f}, "
          f"macro-F1 {held.macro_f1:.4f}")


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
    t.add_argument("--solver", default="auto", choices=("auto", "liblinear", "sgd"))
    t.add_argument("--epochs", type=int, default=0, help="sgd passes; 0: the automatic choice")
    args = parser.parse_args()
    import django

    django.setup()
    {"segment": segment, "quality": quality, "serve": serve, "train": train}[args.what](args)


if __name__ == "__main__":
    main()
