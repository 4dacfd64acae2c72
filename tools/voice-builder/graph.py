"""The ONNX graph: Piper's inputs in, concatenated diphone audio out.

Per batch item the graph
  1. masks ids past `input_lengths` and drops Piper's interleaved pads (compaction by TopK);
  2. merges digraphs (`a`+`ɪ` → `aɪ`), maps codepoints to phones, notes which vowels follow a
     stress mark and which punctuation ends a phrase, puts espeak-ng's short pause between two
     vowels across a word gap, and compacts again to the phones;
  3. gives every phone three segments: the L half of the diphone (previous phone, phone), a
     pause (silence, for punctuation), and the R half of the diphone (phone, next phone), each a
     run of pitch-period frames in the unit bank;
  4. sets each segment's duration (length_scale, shorter unstressed vowels, longer last syllables
     of a phrase) and pitch (a falling line over the phrase, a bump on stressed vowels, a fall,
     rise or continuation at the end depending on the punctuation);
  5. finds for each output frame its segment (scatter + cumulative sum) and source frame, gathers
     2·hop-sample Hann-windowed frames and overlap-adds them one output pitch period apart
     (TD-PSOLA: a hop of the bank is exactly one period of the corpus voice).
Phrase-level quantities (position in the phrase, vowels still to come) are counted with
cumulative sums and scatter-adds, so the graph stays linear in the sentence length.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17

# Tone of the punctuation that ends a phrase.
TONE_NONE, TONE_FALL, TONE_RISE, TONE_CONTINUE = 0, 1, 2, 3


@dataclass
class Intonation:
    """Pitch as a ratio of the corpus pitch; all zero gives the corpus monotone."""

    start: float = 1.08  # at a phrase's first phone
    declination: float = 0.14  # fall across the phrase
    accent: float = 0.07  # primary-stressed vowel (half for secondary stress)
    fall: tuple[float, float] = (-0.05, -0.10)  # phrase-final syllable, L and R half, before . ! and the end
    rise: tuple[float, float] = (0.08, 0.22)  # before ?
    cont: tuple[float, float] = (0.02, 0.06)  # before , ; :
    lowest: float = 0.8
    highest: float = 1.35


@dataclass
class Tables:
    hop: int
    num_symbols: int
    pad_id: int
    num_phones: int  # NONE = num_phones marks "no neighbour"
    cp2ph: np.ndarray  # [V] int16, -1 = no phone
    digraph: np.ndarray  # [V*V] int16, merged phone or -1
    pause_frames: np.ndarray  # [V] int16
    stress_level: np.ndarray  # [V] int64: 2 after ˈ, 1 after ˌ
    tone: np.ndarray  # [V] int64: TONE_* of punctuation
    vowel_scale: np.ndarray  # [U+1] float32, duration factor of a vowel without stress
    final_scale: np.ndarray  # [U+1] float32, duration factor in a phrase's last syllable
    is_vowel: np.ndarray  # [U+1] bool
    is_voiceless: np.ndarray  # [U+1] bool
    silence_phone: int
    space_id: int
    hiatus_frames: int
    l_start: np.ndarray  # [(U+1)^2] int32, frame centre (bank sample) of the L half's first frame
    l_len: np.ndarray  # [(U+1)^2] int16, frames
    r_start: np.ndarray
    r_len: np.ndarray
    bank: np.ndarray  # int16 samples
    silent_centre: int  # a bank sample whose frame is all zeros
    gain: float  # bank int16 → float
    intonation: Intonation


class _Builder:
    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self._n = 0

    def name(self, hint: str) -> str:
        self._n += 1
        return f'{hint}_{self._n}'

    def const(self, value, hint: str = 'c') -> str:
        arr = np.asarray(value)
        if arr.dtype == np.float64:
            arr = arr.astype(np.float32)
        name = self.name(hint)
        self.inits.append(numpy_helper.from_array(arr, name))
        return name

    def i64(self, value, hint: str = 'k') -> str:
        return self.const(np.asarray(value, dtype=np.int64), hint)

    def f32(self, value, hint: str = 'f') -> str:
        return self.const(np.asarray(value, dtype=np.float32), hint)

    def op(self, op_type: str, inputs: list[str], hint: str | None = None, outputs: int = 1, **attrs):
        outs = [self.name(hint or op_type.lower()) for _ in range(outputs)]
        self.nodes.append(helper.make_node(op_type, inputs, outs, **attrs))
        return outs[0] if outputs == 1 else outs


def build_model(t: Tables) -> onnx.ModelProto:
    g = _Builder()
    V, U, H = t.num_symbols, t.num_phones, t.hop
    none = U
    i64, flt = TensorProto.INT64, TensorProto.FLOAT
    zero, one = g.i64(0), g.i64(1)
    axes0, axes1 = g.i64([0]), g.i64([1])
    end = g.i64([np.iinfo(np.int64).max])

    def cast(x: str, to: int) -> str:
        return g.op('Cast', [x], to=to)

    def gather(table: np.ndarray, idx: str, hint: str, to: int | None = None) -> str:
        out = g.op('Gather', [g.const(table, hint), idx], hint=hint)
        return cast(out, to) if to is not None else out

    def where(cond: str, a: str, b: str) -> str:
        return g.op('Where', [cond, a, b])

    def add(a: str, b: str) -> str:
        return g.op('Add', [a, b])

    def sub(a: str, b: str) -> str:
        return g.op('Sub', [a, b])

    def mul(a: str, b: str) -> str:
        return g.op('Mul', [a, b])

    def batch_dim(x: str) -> str:
        return g.op('Slice', [g.op('Shape', [x]), g.i64([0]), g.i64([1]), axes0])

    def filled(like: str, value, dtype=np.int64) -> str:
        """A [B,1] tensor of `value` with the batch size of `like`."""
        shape = g.op('Concat', [batch_dim(like), g.i64([1])], axis=0)
        return g.op('ConstantOfShape', [shape], value=numpy_helper.from_array(np.array([value], dtype=dtype)))

    def zeros(like: str, length: str, dtype=np.int64) -> str:
        """A [B,length] tensor of zeros; `length` is an int64 scalar."""
        shape = g.op('Concat', [batch_dim(like), g.op('Reshape', [length, g.i64([1])])], axis=0)
        return g.op('ConstantOfShape', [shape], value=numpy_helper.from_array(np.array([0], dtype=dtype)))

    def shift_right(x: str, fill: str) -> str:
        """Each position sees its predecessor; the first sees `fill` ([B,1])."""
        return g.op('Concat', [fill, g.op('Slice', [x, g.i64([0]), g.i64([-1]), axes1])], axis=1)

    def shift_left(x: str, fill: str) -> str:
        return g.op('Concat', [g.op('Slice', [x, g.i64([1]), end, axes1]), fill], axis=1)

    def take(order: str, mask: str, x: str, fill: str) -> str:
        return where(mask, g.op('GatherElements', [x, order], axis=1), fill)

    ids_in = 'input'
    n_scalar = g.op('Gather', [g.op('Shape', [ids_in]), one], axis=0)  # N
    pos = g.op('Unsqueeze', [g.op('Range', [zero, n_scalar, one]), axes0])  # [1,N]
    pos_f = cast(pos, flt)
    shifted_pos_f = add(pos_f, cast(n_scalar, flt))
    n_k = g.op('Reshape', [n_scalar, g.i64([1])])

    def compact(mask: str) -> tuple[str, str]:
        """Gather indices that move mask's True positions to the front, in order, and the [B,N] mask
        of the slots they fill."""
        key = where(mask, pos_f, shifted_pos_f)
        _, order = g.op('TopK', [key, n_k], outputs=2, axis=1, largest=0, sorted=1)
        count = g.op('ReduceSum', [cast(mask, i64), axes1], keepdims=1)
        return order, g.op('Less', [pos, count])

    def running(x: str) -> str:
        return g.op('CumSum', [x, one])

    def per_group(group: str, values: str) -> str:
        """Sum of `values` over each group id (ids in 0..N), read back at every position."""
        bins = zeros(group, add(n_scalar, one))
        sums = g.op('ScatterElements', [bins, group, values], axis=1, reduction='add')
        return g.op('GatherElements', [sums, group], axis=1)

    # 1. Valid, in-range ids without pads.
    valid = g.op('Less', [pos, g.op('Unsqueeze', ['input_lengths', axes1])])
    pad = g.i64(t.pad_id)
    ids = where(valid, g.op('Max', [g.op('Min', [ids_in, g.i64(V - 1)]), zero]), pad)
    order, kept = compact(g.op('And', [valid, g.op('Not', [g.op('Equal', [ids, pad])])]))
    cps = take(order, kept, ids, pad)

    # 2. Codepoints → phones.
    pad_col = filled(cps, t.pad_id)
    merged = gather(t.digraph, add(mul(cps, g.i64(V)), shift_left(cps, pad_col)), 'digraph', i64)
    is_merge = g.op('GreaterOrEqual', [merged, zero])
    consumed = shift_right(is_merge, filled(cps, False, np.bool_))
    phone = where(is_merge, merged, gather(t.cp2ph, cps, 'cp2ph', i64))
    phone = where(consumed, g.i64(-1), phone)
    stress = gather(t.stress_level, shift_right(cps, pad_col), 'stress_level')
    pause = gather(t.pause_frames, cps, 'pause', i64)
    tone = gather(t.tone, cps, 'tone')
    is_space = g.op('Equal', [cps, g.i64(t.space_id)])
    is_phone = g.op('GreaterOrEqual', [phone, zero])

    # Words ending and starting in a vowel get espeak-ng's short hiatus pause between them.
    order, kept = compact(g.op('Or', [is_phone, is_space]))
    ph2 = take(order, kept, phone, g.i64(-1))
    sp2 = g.op('And', [kept, g.op('GatherElements', [is_space, order], axis=1)])
    st2 = g.op('GatherElements', [stress, order], axis=1)
    xl2 = take(order, kept, pause, zero)
    tn2 = take(order, kept, tone, zero)
    ph2_n = where(g.op('Less', [ph2, zero]), g.i64(none), ph2)
    none_col = filled(ph2_n, none)
    vowel_before = gather(t.is_vowel, shift_right(ph2_n, none_col), 'is_vowel')
    vowel_after = gather(t.is_vowel, shift_left(ph2_n, none_col), 'is_vowel')
    hiatus = g.op('And', [sp2, g.op('And', [vowel_before, vowel_after])])
    ph2 = where(hiatus, g.i64(t.silence_phone), ph2)
    xl2 = where(hiatus, g.i64(t.hiatus_frames), xl2)

    order, kept = compact(g.op('GreaterOrEqual', [ph2, zero]))
    ph = take(order, kept, ph2, g.i64(none))
    st = g.op('GatherElements', [st2, order], axis=1)
    xl = take(order, kept, xl2, zero)
    tn = take(order, kept, tn2, zero)
    hi = g.op('GatherElements', [hiatus, order], axis=1)

    # 3. Segments per phone: L half, pause, R half.
    none_col = filled(ph, none)
    prev_ph = shift_right(ph, none_col)
    next_ph = shift_left(ph, none_col)
    lkey = add(mul(prev_ph, g.i64(U + 1)), ph)
    rkey = add(mul(ph, g.i64(U + 1)), next_ph)
    l_start = gather(t.l_start, lkey, 'l_start', i64)
    l_len = gather(t.l_len, lkey, 'l_len', i64)
    r_start = gather(t.r_start, rkey, 'r_start', i64)
    r_len = gather(t.r_len, rkey, 'r_len', i64)

    # Phrases: numbered by a running count of breaks (punctuation, BOS, EOS; not hiatus pauses).
    is_sil = g.op('Equal', [ph, g.i64(t.silence_phone)])
    is_break = g.op('And', [is_sil, g.op('Not', [hi])])
    is_sound = g.op('And', [g.op('Not', [is_sil]), kept])
    brk_i, snd_i = cast(is_break, i64), cast(is_sound, i64)
    vow_i = cast(gather(t.is_vowel, ph, 'is_vowel'), i64)
    phrase = running(brk_i)
    # Counts before the phrase are read off its break (the one position that adds to its group).
    cum_v, cum_s = running(vow_i), running(snd_i)
    vowels_after = sub(add(per_group(phrase, vow_i), per_group(phrase, mul(brk_i, cum_v))), cum_v)
    final = g.op('And', [g.op('Equal', [vowels_after, zero]), is_sound])
    sounds_in_phrase = per_group(phrase, snd_i)
    index_in_phrase = sub(sub(cum_s, per_group(phrase, mul(brk_i, cum_s))), one)
    progress = g.op('Div', [cast(index_in_phrase, flt),
                            cast(g.op('Max', [sub(sounds_in_phrase, one), one]), flt)])
    # The tone of a phrase is that of the break after it, which opens the next phrase.
    next_phrase = g.op('Min', [add(phrase, one), n_scalar])
    tone_bins = g.op('ScatterElements', [zeros(ph, add(n_scalar, one)), phrase, mul(brk_i, tn)], axis=1,
                     reduction='add')
    phrase_tone = g.op('GatherElements', [tone_bins, next_phrase], axis=1)

    # 4. Durations: length_scale, shorter unstressed vowels, longer last syllables of a phrase.
    length_scale = g.op('Max', [g.op('Gather', ['scales', one], axis=0), g.f32(0.05)])
    stressed = g.op('Greater', [st, zero])
    base = mul(where(stressed, g.f32(1.0), gather(t.vowel_scale, ph, 'vowel_scale')), length_scale)
    lengthen = where(final, gather(t.final_scale, ph, 'final_scale'), g.f32(1.0))
    # An R half before a pause was cut from a phrase-final instance already.
    before_pause = g.op('Equal', [next_ph, g.i64(t.silence_phone)])
    factor_l = mul(base, lengthen)
    factor_r = mul(base, where(before_pause, g.f32(1.0), lengthen))

    # Pitch, as a ratio of the corpus pitch.
    into = t.intonation
    is_v = cast(vow_i, flt)
    accent = mul(mul(cast(st, flt), g.f32(into.accent / 2)), is_v)
    line = add(sub(g.f32(into.start), mul(progress, g.f32(into.declination))), accent)
    tone_l = g.f32([0.0, into.fall[0], into.rise[0], into.cont[0]])
    tone_r = g.f32([0.0, into.fall[1], into.rise[1], into.cont[1]])
    final_f = cast(final, flt)
    pitch_l = add(line, mul(final_f, g.op('Gather', [tone_l, phrase_tone], axis=0)))
    pitch_r = add(line, mul(final_f, g.op('Gather', [tone_r, phrase_tone], axis=0)))
    # A pause takes the pitch of its neighbours, so the decay of the phone before it keeps its pitch.
    one_col = filled(ph, 1.0, np.float32)
    pitch_l = where(is_sil, shift_right(pitch_r, one_col), pitch_l)
    pitch_r = where(is_sil, shift_left(pitch_l, one_col), pitch_r)
    pitch_l = g.op('Clip', [pitch_l, g.f32(into.lowest), g.f32(into.highest)])
    pitch_r = g.op('Clip', [pitch_r, g.f32(into.lowest), g.f32(into.highest)])
    # Voiceless sounds have no pitch to move; re-spacing their frames would only repeat noise.
    voiceless = gather(t.is_voiceless, ph, 'is_voiceless')
    pitch_l = where(voiceless, g.f32(1.0), pitch_l)
    pitch_r = where(voiceless, g.f32(1.0), pitch_r)

    def exact_frames(frames: str, factor: str, pitch: str) -> str:
        # A frame advances the output by hop/pitch samples, so a higher pitch needs more of them.
        return mul(mul(cast(frames, flt), factor), pitch)

    zeros_n = mul(l_len, zero)
    x_start = add(zeros_n, g.i64(t.silent_centre))
    x_len = add(zeros_n, one)

    def interleave(a: str, b: str, c: str) -> str:
        stacked = g.op('Concat', [g.op('Unsqueeze', [v, g.i64([2])]) for v in (a, b, c)], axis=2)
        return g.op('Reshape', [stacked, g.i64([0, -1])])

    seg_start = interleave(l_start, x_start, r_start)
    seg_len = interleave(l_len, x_len, r_len)
    seg_exact = interleave(exact_frames(l_len, factor_l, pitch_l), exact_frames(xl, length_scale, one_col),
                           exact_frames(r_len, factor_r, pitch_r))
    seg_pitch = interleave(pitch_l, add(mul(pitch_l, g.f32(0.0)), g.f32(1.0)), pitch_r)
    # Whole frames per segment with the rounding error carried along (rounding each segment on its
    # own would shorten or lengthen every one the same way); a segment with sound keeps a frame.
    ends = cast(g.op('Round', [g.op('CumSum', [seg_exact, one])]), i64)
    seg_out = sub(ends, shift_right(ends, filled(ends, 0)))
    seg_out = where(g.op('Greater', [seg_exact, g.f32(0.0)]), g.op('Max', [seg_out, one]), zero)
    offsets = g.op('CumSum', [seg_out, one], exclusive=1)
    total = g.op('ReduceSum', [seg_out, axes1], keepdims=1)  # [B,1] frames
    t_frames = g.op('Max', [g.op('ReduceMax', [total], keepdims=0), one])  # T

    # 5. Each output frame's segment: mark where segments start, then count the marks.
    marks = g.op('ScatterElements', [zeros(seg_out, add(t_frames, one)), g.op('Min', [offsets, t_frames]),
                                     add(mul(seg_out, zero), one)], axis=1, reduction='add')
    marks = g.op('Slice', [marks, g.i64([0]), g.op('Reshape', [t_frames, g.i64([1])]), axes1])
    seg = g.op('Max', [sub(running(marks), one), zero])  # [B,T]

    t_pos = g.op('Unsqueeze', [g.op('Range', [zero, t_frames, one]), axes0])  # [1,T]
    inside = g.op('Less', [t_pos, total])
    j = sub(t_pos, g.op('GatherElements', [offsets, seg], axis=1))
    f_len = g.op('GatherElements', [seg_len, seg], axis=1)
    f_out = g.op('Max', [g.op('GatherElements', [seg_out, seg], axis=1), one])
    centre = add(g.op('GatherElements', [seg_start, seg], axis=1), mul(g.op('Div', [mul(j, f_len), f_out]), g.i64(H)))
    centre = where(inside, centre, g.i64(t.silent_centre))
    f_pitch = where(inside, g.op('GatherElements', [seg_pitch, seg], axis=1), g.f32(1.0))

    # Output placement: one output pitch period (hop / pitch) after the previous frame.
    period = g.op('Div', [g.f32(float(H)), f_pitch])
    place = cast(g.op('Round', [g.op('CumSum', [period, one], exclusive=1)]), i64)  # [B,T]
    last = g.op('GatherElements', [place, g.op('Max', [sub(total, one), zero])], axis=1)  # [B,1]
    item_len = add(last, g.i64(2 * H))
    out_len = g.op('ReduceMax', [add(g.op('ReduceMax', [place], axes=[1], keepdims=1), g.i64(2 * H))], keepdims=0)

    offsets_2h = g.i64(np.arange(-H, H), 'frame_offsets')
    idx = add(g.op('Unsqueeze', [centre, g.i64([2])]), offsets_2h)  # [B,T,2H]
    bank = mul(cast(g.const(t.bank, 'bank'), flt), g.f32(t.gain))
    hann = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(2 * H) / (2 * H))).astype(np.float32)
    frames = mul(g.op('Gather', [bank, idx], axis=0), g.f32(hann))
    target = g.op('Reshape', [add(g.op('Unsqueeze', [place, g.i64([2])]), g.i64(np.arange(2 * H))), g.i64([0, -1])])
    num = g.op('ScatterElements', [zeros(centre, out_len, np.float32), target, g.op('Reshape', [frames, g.i64([0, -1])])],
               axis=1, reduction='add')
    weights = g.op('Reshape', [add(mul(frames, g.f32(0.0)), g.f32(hann)), g.i64([0, -1])])
    den = g.op('ScatterElements', [zeros(centre, out_len, np.float32), target, weights], axis=1, reduction='add')
    # Where frames overlap by other than half (pitch moved), the windows no longer sum to one.
    audio = g.op('Div', [num, g.op('Max', [den, g.f32(0.3)])])
    g.nodes.append(helper.make_node('Unsqueeze', [audio, axes1], ['output']))
    g.nodes.append(helper.make_node('Squeeze', [item_len, axes1], ['output_lengths']))

    graph = helper.make_graph(
        g.nodes,
        'speechgate_diphone_voice',
        inputs=[
            helper.make_tensor_value_info('input', i64, ['batch', 'phonemes']),
            helper.make_tensor_value_info('input_lengths', i64, ['batch']),
            helper.make_tensor_value_info('scales', flt, [3]),
        ],
        outputs=[
            helper.make_tensor_value_info('output', flt, ['batch', 1, 'samples']),
            helper.make_tensor_value_info('output_lengths', i64, ['batch']),
        ],
        initializer=g.inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', OPSET)],
                              producer_name='speechgate-voice-builder', producer_version='1')
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model
