#!/usr/bin/env python3
"""Builds Speechgate's built-in English voice: a Piper-compatible ONNX model made offline.

Method (diphone concatenation, the classic pre-neural technique):
  1. libespeak-ng reads a fixed English corpus (corpus.py) in a monotone variant of its en-us
     voice, reporting the sample at which every phoneme starts.
  2. The audio is resampled so one pitch period is exactly HOP samples; each phone gets a cut
     point in its steady middle (stops: just before the burst), moved onto the glottal-cycle
     grid; every adjacent phone pair becomes a candidate diphone.
  3. One diphone per phone pair is kept (stressed vowels, typical durations, average spectrum at
     the cuts); the kept audio is the model's unit bank, and tables say which frames each L/R half
     uses. Missing pairs are bridged by halves of the most similar pairs.
  4. graph.py writes an ONNX graph with Piper's exact inputs and outputs that looks the units up
     from the phoneme ids, gives them durations (length_scale, stress, phrase-final lengthening)
     and an intonation contour, and overlap-adds them pitch-synchronously (TD-PSOLA).

The build is deterministic: espeak-ng is deterministic without flutter, and every choice is
made in sorted order with explicit tie-breaks. Run with the system Python (numpy, onnx):

    /usr/bin/python3 tools/voice-builder/build_voice.py [--out voices]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time

SYSTEM_PYTHON = '/usr/bin/python3'
try:
    import numpy as np
    import onnx  # noqa: F401  (graph.py needs it; fail here, before a minute of synthesis)
except ImportError:
    # A pyenv or venv `python3` may lack Debian's python3-numpy / python3-onnx: use the system one.
    if os.path.realpath(sys.executable) != os.path.realpath(SYSTEM_PYTHON) and os.path.exists(SYSTEM_PYTHON):
        os.execv(SYSTEM_PYTHON, [SYSTEM_PYTHON, *sys.argv])
    raise

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from corpus import SENTENCES  # noqa: E402
from graph import TONE_CONTINUE, TONE_FALL, TONE_RISE, Intonation, Tables, build_model  # noqa: E402
from symbols import (  # noqa: E402
    DIGRAPHS, EOS, PAD, PAUSES, SILENCE, SUBSTITUTES, SYMBOLS, VOICELESS, VOWELS, is_sound, symbol_ids,
)
from units import Instance, Inventory, Sentence, choose_units, place_cuts, prepare_sentences  # noqa: E402

SAMPLE_RATE = 22050
# espeak-ng pitch setting 70 gives ~112 Hz; HOP is the period rounded, so resampling is tiny (0.2 %).
PITCH = 70
HOP = 197
VOICE_NAME = 'speechgate-en'
# espeak-ng pauses ~45 ms between a word ending in a vowel and one starting with a vowel; the
# silent phone's edge frames give 4 of the 5 frames.
HIATUS_FRAMES = 1
# How a phrase ends, by the punctuation after it.
TONES = {'.': TONE_FALL, '!': TONE_FALL, '…': TONE_FALL, EOS: TONE_FALL, '?': TONE_RISE,
         ',': TONE_CONTINUE, ';': TONE_CONTINUE, ':': TONE_CONTINUE, '—': TONE_CONTINUE, '–': TONE_CONTINUE}


def half_frames(inst: Instance, hop: int) -> tuple[int, int, int, int]:
    """(R start, R frames, L start, L frames) of an instance; starts are frame centres."""
    total = max(1, int(round((inst.cut_b - inst.cut_a) / hop)))
    n_r = int(min(max(round((inst.boundary - inst.cut_a) / hop), 0), total))
    n_l = total - n_r
    return inst.cut_a, n_r, inst.cut_b - n_l * hop, n_l


def assemble_bank(sentences: list[Sentence], chosen: dict[tuple[str, str], Instance], hop: int):
    """Concatenates the audio the kept units need (overlapping spans of a sentence stored once)
    and returns the bank, a sentence-sample → bank-sample mapper, and the silent frame centre."""
    spans: dict[int, list[list[int]]] = {}
    for key in sorted(chosen):
        inst = chosen[key]
        r0, n_r, l0, n_l = half_frames(inst, hop)
        # Frame centres run r0 + k·hop and l0 + k·hop; each frame reaches one hop either side.
        lo = min(r0, l0 if n_l else r0) - hop
        hi = max(r0 + n_r * hop, l0 + n_l * hop)
        spans.setdefault(inst.sentence, []).append([lo, hi])
    pieces = [np.zeros(2 * hop)]
    where: dict[int, list[tuple[int, int, int]]] = {}
    offset = 2 * hop
    for s in sorted(spans):
        merged: list[list[int]] = []
        for lo, hi in sorted(spans[s]):
            if merged and lo <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], hi)
            else:
                merged.append([lo, hi])
        x = sentences[s].samples
        for lo, hi in merged:
            seg = x[max(lo, 0):hi]
            if lo < 0:
                seg = np.concatenate([np.zeros(-lo), seg])
            where.setdefault(s, []).append((lo, hi, offset))
            pieces.append(seg)
            offset += len(seg)
    bank = np.clip(np.round(np.concatenate(pieces)), -32768, 32767).astype(np.int16)

    def to_bank(s: int, t: int) -> int:
        for lo, hi, off in where[s]:
            if lo <= t < hi:
                return off + (t - lo)
        raise ValueError(f'sample {t} of sentence {s} is not in the bank')

    return bank, to_bank, hop


def build_tables(sentences: list[Sentence], inv: Inventory) -> tuple[Tables, dict]:
    """Everything the graph looks up: symbol → phone maps, duration and pitch tables, unit halves."""
    ids = symbol_ids()
    V = len(SYMBOLS)
    phones = list(inv.phones)
    index = {p: i for i, p in enumerate(phones)}
    U = len(phones)

    def resolve(name: str) -> int:
        seen = [name]
        while seen:
            candidate = seen.pop(0)
            if candidate in index:
                return index[candidate]
            seen.extend(SUBSTITUTES.get(candidate, ()))
        return -1

    cp2ph = np.full(V, -1, dtype=np.int16)
    for symbol, i in ids.items():
        if symbol in PAUSES:
            cp2ph[i] = index[SILENCE]
        elif is_sound(symbol):
            cp2ph[i] = resolve(symbol)
    digraph = np.full(V * V, -1, dtype=np.int16)
    for (a, b), merged in sorted(DIGRAPHS.items()):
        digraph[ids[a] * V + ids[b]] = resolve(merged)
    pause_frames = np.zeros(V, dtype=np.int16)
    for symbol, seconds in PAUSES.items():
        pause_frames[ids[symbol]] = int(round(seconds * SAMPLE_RATE / HOP))
    stress_level = np.zeros(V, dtype=np.int64)
    stress_level[ids['ˈ']] = 2
    stress_level[ids['ˌ']] = 1
    tone = np.zeros(V, dtype=np.int64)
    for symbol, kind in TONES.items():
        tone[ids[symbol]] = kind
    vowel_scale = np.ones(U + 1, dtype=np.float32)
    for name, scale in inv.stress_scale.items():
        vowel_scale[index[name]] = scale
    final_scale = np.ones(U + 1, dtype=np.float32)
    for name, scale in inv.final_scale.items():
        if name in index:
            final_scale[index[name]] = scale
    is_vowel = np.array([p in VOWELS for p in phones] + [False], dtype=bool)
    is_voiceless = np.array([p in VOICELESS for p in phones] + [True], dtype=bool)

    bank, to_bank, silent_centre = assemble_bank(sentences, inv.chosen, HOP)
    spectra = inv.spectra

    def distance(a: str, b: str) -> float:
        return float(np.sum((spectra[a] - spectra[b]) ** 2)) if a in spectra and b in spectra else 1e9

    halves: dict[tuple[str, str], tuple[int, int, int, int]] = {}
    for key in sorted(inv.chosen):
        inst = inv.chosen[key]
        r0, nr, l0, nl = half_frames(inst, HOP)
        halves[key] = (to_bank(inst.sentence, r0), nr, to_bank(inst.sentence, l0) if nl else silent_centre, nl)

    l_start = np.full((U + 1) ** 2, silent_centre, dtype=np.int32)
    r_start = np.full((U + 1) ** 2, silent_centre, dtype=np.int32)
    l_len = np.zeros((U + 1) ** 2, dtype=np.int16)
    r_len = np.zeros((U + 1) ** 2, dtype=np.int16)
    bridged = 0
    for ai, a in enumerate(phones + [None]):
        for bi, b in enumerate(phones + [None]):
            key = ai * (U + 1) + bi
            a_name = a if a is not None else SILENCE
            b_name = b if b is not None else SILENCE
            if a_name == SILENCE and b_name == SILENCE:
                continue  # two pauses in a row: the pause segments alone
            if b is not None:  # L half of b after a
                if (a_name, b_name) in halves:
                    src = (a_name, b_name)
                else:
                    options = sorted(p for p, q in halves if q == b_name)
                    src = (min(options, key=lambda y: (distance(a_name, y), y)), b_name) if options else None
                    bridged += 1
                if src:
                    _, _, l_start[key], l_len[key] = halves[src]
            if a is not None:  # R half of a before b
                if (a_name, b_name) in halves:
                    src = (a_name, b_name)
                else:
                    options = sorted(q for p, q in halves if p == a_name)
                    src = (a_name, min(options, key=lambda y: (distance(b_name, y), y))) if options else None
                if src:
                    r_start[key], r_len[key], _, _ = halves[src]

    tables = Tables(
        hop=HOP, num_symbols=V, pad_id=ids[PAD], num_phones=U, cp2ph=cp2ph, digraph=digraph,
        pause_frames=pause_frames, stress_level=stress_level, tone=tone, vowel_scale=vowel_scale,
        final_scale=final_scale, is_vowel=is_vowel, is_voiceless=is_voiceless, silence_phone=index[SILENCE],
        space_id=ids[' '], hiatus_frames=HIATUS_FRAMES,
        l_start=l_start, l_len=l_len, r_start=r_start, r_len=r_len, bank=bank,
        silent_centre=silent_centre, gain=1 / 32768, intonation=Intonation(),
    )
    stats = {'phones': U, 'diphones': len(inv.chosen), 'bridged_pairs': bridged,
             'bank_seconds': round(len(bank) / SAMPLE_RATE, 2),
             'unstressed_vowel_scale': {k: round(v, 3) for k, v in sorted(inv.stress_scale.items())},
             'phrase_final_scale': {k: round(v, 3) for k, v in sorted(inv.final_scale.items())}}
    return tables, stats


def write_config(path: str, stats: dict) -> None:
    ids = symbol_ids()
    config = {
        'dataset': VOICE_NAME,
        'audio': {'sample_rate': SAMPLE_RATE, 'quality': 'low'},
        'espeak': {'voice': 'en-us'},
        'language': {'code': 'en_US', 'family': 'en', 'region': 'US', 'name_english': 'English'},
        'inference': {'noise_scale': 0.667, 'length_scale': 1, 'noise_w': 0.8},
        'phoneme_type': 'espeak',
        'phoneme_map': {},
        'phoneme_id_map': {s: [i] for s, i in ids.items()},
        'num_symbols': len(SYMBOLS),
        'num_speakers': 1,
        'speaker_id_map': {},
        'piper_version': '1.0.0',
        'speechgate': {
            'method': 'espeak-ng diphone concatenation (tools/voice-builder)',
            'hop': HOP,
            'pitch_hz': round(SAMPLE_RATE / HOP, 1),
            **stats,
            'ignored_scales': ['noise_scale', 'noise_w'],
        },
    }
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(config, f, ensure_ascii=False, indent=2)
        f.write('\n')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parser.add_argument('--out', default=os.path.join(root, 'voices'), help='directory for the .onnx and .onnx.json')
    args = parser.parse_args()

    started = time.time()
    sentences, period = prepare_sentences(SENTENCES, PITCH, HOP)
    instances = place_cuts(sentences, HOP)
    inventory = choose_units(sentences, instances, HOP)
    tables, stats = build_tables(sentences, inventory)
    stats['corpus_sentences'] = len(SENTENCES)
    stats['espeak_period_samples'] = round(period, 3)
    model = build_model(tables)

    os.makedirs(args.out, exist_ok=True)
    model_path = os.path.join(args.out, f'{VOICE_NAME}.onnx')
    data = model.SerializeToString()
    with open(model_path, 'wb') as f:
        f.write(data)
    write_config(model_path + '.json', stats)
    print(json.dumps({**stats, 'model_bytes': len(data), 'sha256': hashlib.sha256(data).hexdigest(),
                      'seconds': round(time.time() - started, 1)}, ensure_ascii=False))


if __name__ == '__main__':
    main()
