"""Cuts the synthesized corpus into diphone units and chooses one unit per phone pair.

A diphone runs from the steady middle of one phone to the middle of the next, so the hard
part of speech (the transition) is always natural and joins happen where the sound is
stable. Each diphone is kept as two halves: the end of its first phone (`R`) and the start
of its second (`L`). A phone pair the corpus never says is bridged with the `R` half of one
diphone and the `L` half of another, chosen for the most similar neighbour.

Cut points sit on glottal-cycle boundaries: the corpus is resampled so one pitch period is
exactly `hop` samples, and every cut in a voiced stretch is moved to that stretch's cycle grid.
Frames taken every `hop` samples from any unit then start at the same phase of the cycle, so
units from different sentences overlap-add without cancelling each other.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from espeak_lib import Espeak, ipa
from symbols import PLOSIVES, SILENCE, STRESS_MARKS, VOWELS, merge_codepoints

# How many frames of silence a `#` phone lends to the diphones on either side of it.
SILENCE_EDGE_FRAMES = 2
# A pause at least this long (samples, 100 ms) ends a phrase.
PHRASE_PAUSE = 2205


@dataclass
class Phone:
    name: str
    start: int
    end: int
    stressed: bool = False
    cut: int = 0
    # In the last syllable before a pause, where espeak-ng lengthens everything.
    final: bool = False


@dataclass
class Sentence:
    index: int
    samples: np.ndarray  # float64, resampled so a pitch period is exactly `hop`
    phones: list[Phone]
    voiced: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    grid: np.ndarray = field(default_factory=lambda: np.zeros(0))


@dataclass
class Instance:
    """One occurrence of a phone pair: first phone's cut, the boundary, second phone's cut."""

    sentence: int
    left: Phone
    right: Phone
    cut_a: int
    boundary: int
    cut_b: int
    score: float = 0.0


def measure_period(samples: list[np.ndarray]) -> float:
    """The pitch period in samples, from the autocorrelation of loud windows."""
    estimates: list[float] = []
    for x in samples:
        for s in range(0, len(x) - 4096, 2048):
            w = x[s:s + 4096]
            if np.sqrt(np.mean(w ** 2)) < 2000:
                continue
            spectrum = np.fft.rfft(w, 8192)
            ac = np.fft.irfft(np.abs(spectrum) ** 2)[:4096]
            lag = int(np.argmax(ac[80:600])) + 80
            a, b, c = ac[lag - 1], ac[lag], ac[lag + 1]
            estimates.append(lag + 0.5 * (a - c) / (a - 2 * b + c))
    return float(np.median(estimates))


def resample(x: np.ndarray, ratio: float) -> np.ndarray:
    """Band-limited resampling by FFT (the signal starts and ends in silence, so no wrap-around)."""
    n = len(x)
    m = int(round(n * ratio))
    spectrum = np.fft.rfft(x)
    keep = min(len(spectrum), m // 2 + 1)
    out = np.zeros(m // 2 + 1, dtype=complex)
    out[:keep] = spectrum[:keep]
    return np.fft.irfft(out, m) * (m / n)


def align_phones(events: list[tuple[str, int]], ipa_text: str, length: int) -> list[Phone]:
    """Phones with sample spans: the IPA string decides what the phones are (as in the graph),
    the events decide when they are. The two list the same codepoints in the same order."""
    # Each event codepoint gets a share of its event's time; vowel letters get a larger share.
    spans: list[tuple[int, int]] = []
    bounds = [s for _, s in events] + [length]
    pauses: list[tuple[int, int]] = []
    for k, (name, start) in enumerate(events):
        end = bounds[k + 1]
        if name == '':
            pauses.append((start, end))
            continue
        weights = [0.0 if 0x300 <= ord(c) <= 0x36F else 1.5 if c in VOWELS else 1.0 for c in name]
        total = sum(weights) or 1.0
        acc = 0.0
        for w in weights:
            a = start + (end - start) * acc / total
            acc += w
            spans.append((int(round(a)), int(round(start + (end - start) * acc / total))))

    codepoints = list(ipa_text)
    timed = [i for i, c in enumerate(codepoints) if c not in STRESS_MARKS and c != ' ']
    if len(timed) != len(spans):
        raise ValueError(f'events and IPA disagree: {len(spans)} vs {len(timed)} codepoints in {ipa_text!r}')
    span_of = dict(zip(timed, spans))

    phones: list[Phone] = []
    for name, members in merge_codepoints(codepoints):
        if name == SILENCE:
            continue
        start = min(span_of[i][0] for i in members)
        end = max(span_of[i][1] for i in members)
        first = members[0]
        stressed = first > 0 and codepoints[first - 1] in STRESS_MARKS
        phones.append(Phone(name, start, end, stressed))
    first_event = events[0][1] if events else length
    pauses.append((0, first_event))
    for start, end in pauses:
        phones.append(Phone(SILENCE, start, end))
    phones.sort(key=lambda p: (p.start, p.end))
    merged: list[Phone] = []
    for p in phones:
        if merged and p.name == SILENCE and merged[-1].name == SILENCE:
            merged[-1].end = max(merged[-1].end, p.end)
        elif p.end > p.start or p.name == SILENCE:
            merged.append(p)
    if merged[-1].name != SILENCE:
        merged.append(Phone(SILENCE, length, length))
    vowel_ahead = False
    for p in reversed(merged):
        if p.name == SILENCE:
            # Short pauses (between two vowels, ~45 ms) do not end a phrase; clause pauses do.
            if p.end - p.start >= PHRASE_PAUSE:
                vowel_ahead = False
            continue
        p.final = not vowel_ahead
        if p.name in VOWELS:
            vowel_ahead = True
    return merged


def voicing_grid(x: np.ndarray, hop: int) -> tuple[np.ndarray, np.ndarray]:
    """Per sample block of `hop`: whether the block is voiced, and where its cycle grid starts
    (phase of the fundamental, which espeak-ng keeps constant through a voiced stretch)."""
    blocks = len(x) // hop
    voiced = np.zeros(blocks, dtype=bool)
    grid = np.zeros(blocks)
    t = np.arange(4 * hop)
    basis = np.exp(-2j * np.pi * t / hop)
    window = np.hanning(4 * hop)
    for b in range(blocks):
        s = b * hop + hop // 2 - 2 * hop
        if s < 0 or s + 4 * hop + hop > len(x):
            continue
        w = x[s:s + 4 * hop]
        energy = float(np.sqrt(np.mean(w ** 2)))
        if energy < 150:
            continue
        a, c = x[s:s + 3 * hop], x[s + hop:s + 4 * hop]
        corr = float(np.dot(a, c) / (np.sqrt(np.dot(a, a) * np.dot(c, c)) + 1e-9))
        if corr < 0.6:
            continue
        z = np.sum(w * window * basis)
        voiced[b] = True
        # x ≈ sin(2π(t - t0)/hop) makes the angle -2πt0/hop - π/2.
        grid[b] = (s + (-(np.angle(z) + np.pi / 2) * hop / (2 * np.pi))) % hop
    return voiced, grid


def snap(sentence: Sentence, t: float, hop: int) -> int:
    """Moves a cut to the nearest cycle boundary when it falls in a voiced stretch."""
    b = min(max(int(t) // hop, 0), len(sentence.voiced) - 1)
    if not sentence.voiced[b]:
        return int(round(t))
    t0 = sentence.grid[b]
    return int(round(t0 + round((t - t0) / hop) * hop))


def rms(x: np.ndarray, start: int, end: int) -> float:
    start, end = max(start, 0), min(end, len(x))
    if end <= start:
        return 0.0
    return float(np.sqrt(np.mean(x[start:end] ** 2)))


def burst_onset(x: np.ndarray, lo: int, hi: int) -> int:
    """The stop's release: the steepest rise in short-time energy after the quietest point."""
    step = 32
    lo = max(lo, 0)
    hi = min(hi, len(x) - 64)
    if hi - lo < 4 * step:
        return lo
    env = np.array([np.log(rms(x, s, s + 64) + 1.0) for s in range(lo, hi, step)])
    quiet = int(np.argmin(env[: max(1, int(len(env) * 0.7))]))
    rise = env[2:] - env[:-2]
    rise[: max(0, quiet - 1)] = -np.inf
    k = int(np.argmax(rise)) + 1
    return lo + k * step


def closure_onset(x: np.ndarray, lo: int, hi: int, level: float) -> int:
    """Where the quiet run that ends at `hi` begins (the stop closure), no earlier than `lo`."""
    t = hi
    while t - 64 >= lo and rms(x, t - 64, t) < level:
        t -= 32
    return t


def prepare_sentences(texts: tuple[str, ...], pitch: int, hop: int) -> tuple[list[Sentence], float]:
    """Synthesizes, resamples to a period of `hop`, and aligns phones in every corpus sentence."""
    engine = Espeak(pitch)
    try:
        raw = [engine.speak(text) for text in texts]
        sample_rate = engine.sample_rate
    finally:
        engine.close()
    if sample_rate != 22050:
        raise RuntimeError(f'espeak-ng speaks at {sample_rate} Hz; the voice is 22050 Hz')
    period = measure_period([u.samples.astype(np.float64) for u in raw])
    ratio = hop / period
    sentences: list[Sentence] = []
    for i, (text, utt) in enumerate(zip(texts, raw)):
        # Silence after the last phone, so every unit has room for its edge frames.
        x = np.concatenate([np.zeros(4 * hop), utt.samples.astype(np.float64), np.zeros(8 * hop)])
        events = [(name, int(round((s + 4 * hop) * ratio))) for name, s in utt.events]
        y = resample(x, ratio)
        phones = align_phones(events, ipa(text), len(y))
        sentence = Sentence(i, y, phones)
        sentence.voiced, sentence.grid = voicing_grid(y, hop)
        sentences.append(sentence)
    return sentences, period


def place_cuts(sentences: list[Sentence], hop: int) -> list[Instance]:
    """Finds each phone's cut and returns every adjacent phone pair as an instance."""
    instances: list[Instance] = []
    for sentence in sentences:
        x, phones = sentence.samples, sentence.phones
        for k, p in enumerate(phones):
            if p.name == SILENCE:
                continue
            if p.name in PLOSIVES:
                prev = phones[k - 1] if k > 0 else None
                lo = p.start - (p.start - prev.start) // 2 if prev and prev.name != SILENCE else p.start - 3 * hop
                onset = burst_onset(x, lo, p.end)
                p.cut = snap(sentence, onset - hop // 2, hop)
            else:
                p.cut = snap(sentence, (p.start + p.end) / 2, hop)
        for a, b in zip(phones, phones[1:]):
            if a.name == SILENCE and b.name == SILENCE:
                continue
            boundary = b.start
            if b.name in PLOSIVES and a.name != SILENCE:
                # Unvoiced stops begin at the burst in espeak-ng's events: their closure sits at
                # the end of the previous phone and belongs to the stop.
                boundary = closure_onset(x, a.cut, min(b.start, b.cut), 0.2 * rms(x, a.cut - hop, a.cut + hop))
            if a.name == SILENCE:
                cut_a = max(a.start, boundary - SILENCE_EDGE_FRAMES * hop)
                cut_a = min(cut_a, boundary)
            else:
                cut_a = a.cut
            if b.name == SILENCE:
                cut_b = max(boundary, min(b.end, boundary + SILENCE_EDGE_FRAMES * hop))
            else:
                cut_b = b.cut
            boundary = min(max(boundary, cut_a), cut_b)
            if cut_b - cut_a < hop // 2:
                continue
            instances.append(Instance(sentence.index, a, b, cut_a, boundary, cut_b))
    return instances


@dataclass
class Inventory:
    phones: list[str]
    chosen: dict[tuple[str, str], Instance]
    stress_scale: dict[str, float]
    final_scale: dict[str, float]
    spectra: dict[str, np.ndarray]


def cut_spectrum(x: np.ndarray, cut: int, hop: int, sample_rate: int = 22050) -> np.ndarray | None:
    """Log energy in 24 bands (100 Hz–10 kHz) of the two periods around a cut."""
    seg = x[max(cut - hop, 0):cut + hop]
    if len(seg) < 2 * hop:
        return None
    bands = np.geomspace(100, 10000, 25)
    freqs = np.fft.rfftfreq(4096, 1 / sample_rate)
    power = np.abs(np.fft.rfft(seg * np.hanning(2 * hop), 4096)) ** 2
    feat = [power[(freqs >= lo) & (freqs < hi)].mean() for lo, hi in zip(bands[:-1], bands[1:])]
    return np.log(np.array(feat) + 1e3)


def choose_units(sentences: list[Sentence], instances: list[Instance], hop: int) -> Inventory:
    """One instance per phone pair, scored for a smooth, typical unit:
    - vowels from stressed syllables wherever the vowel is ever stressed (the graph shortens
      unstressed ones), and never from the last syllable before a pause (phrase-final lengthening);
    - durations close to the phone's median in running speech;
    - a spectrum at each cut close to the phone's average, so that any two units meeting in
      the middle of a phone sound alike there (the join cost of unit selection)."""
    phones_seen: dict[int, Phone] = {}
    for inst in instances:
        for p in (inst.left, inst.right):
            phones_seen[id(p)] = p
    durations: dict[tuple[str, bool], list[int]] = {}
    final_durations: dict[tuple[str, bool], list[int]] = {}
    for p in phones_seen.values():
        if p.name != SILENCE:
            (final_durations if p.final else durations).setdefault((p.name, p.stressed), []).append(p.end - p.start)
    prefers_stressed = {name for (name, stressed), d in durations.items()
                        if stressed and name in VOWELS and len(d) >= 3}
    median = {key: float(np.median(d)) for key, d in durations.items()}

    edge_features: list[tuple[np.ndarray | None, np.ndarray | None]] = []
    sums: dict[str, np.ndarray] = {}
    counts: dict[str, int] = {}
    for inst in instances:
        x = sentences[inst.sentence].samples
        pair = (cut_spectrum(x, inst.cut_a, hop), cut_spectrum(x, inst.cut_b, hop))
        edge_features.append(pair)
        for name, feat in zip((inst.left.name, inst.right.name), pair):
            if feat is not None:
                sums[name] = sums.get(name, 0) + feat
                counts[name] = counts.get(name, 0) + 1
    spectra = {name: sums[name] / counts[name] for name in sorted(sums)}
    spread = {name: float(np.mean([np.sum((f - spectra[name]) ** 2) for inst, pair in zip(instances, edge_features)
                                   for n, f in zip((inst.left.name, inst.right.name), pair) if n == name and f is not None]))
              for name in spectra}

    def cost(p: Phone, feat: np.ndarray | None) -> float:
        if p.name == SILENCE:
            return 0.0
        want_stress = p.name in prefers_stressed
        key = (p.name, want_stress)
        if key not in median:
            key = (p.name, p.stressed)
        c = abs(math.log(max(p.end - p.start, 1) / median[key])) if key in median else 0.0
        if want_stress and not p.stressed:
            c += 1.0
        if p.final:
            c += 0.7
        if feat is not None and p.name in spectra:
            c += 0.5 * float(np.sum((feat - spectra[p.name]) ** 2)) / (spread[p.name] + 1e-9)
        return c

    chosen: dict[tuple[str, str], Instance] = {}
    for inst, (fa, fb) in zip(instances, edge_features):
        inst.score = cost(inst.left, fa) + cost(inst.right, fb)
        key = (inst.left.name, inst.right.name)
        best = chosen.get(key)
        if best is None or inst.score < best.score - 1e-9:
            chosen[key] = inst

    stress_scale: dict[str, float] = {}
    for name in sorted(prefers_stressed):
        weak = durations.get((name, False), [])
        if len(weak) >= 3:
            stress_scale[name] = float(np.clip(np.median(weak) / median[(name, True)], 0.4, 1.0))
    final_scale: dict[str, float] = {}
    for (name, stressed), d in sorted(final_durations.items()):
        if stressed != (name in prefers_stressed) or len(d) < 3 or len(durations.get((name, stressed), [])) < 3:
            continue
        final_scale[name] = float(np.clip(np.median(d) / median[(name, stressed)], 1.0, 2.0))
    phones = sorted({n for pair in chosen for n in pair})
    return Inventory(phones, chosen, stress_scale, final_scale, spectra)
