#!/usr/bin/env python3
"""Builds a compute-equivalent reference for a Piper "medium" voice: random weights, real cost.

No real Piper voice can be downloaded where the benchmarks run, and the built-in voice (a
diphone-concatenation graph) synthesises hundreds of times faster than real time, so it is no
yardstick for what synthesis costs in production. This script rebuilds the network Piper trains
at `--quality medium` (VITS inference path: text encoder, stochastic duration predictor,
normalising flow, HiFi-GAN generator) with Piper's exact layer sizes, fills it with seeded random
weights and exports it with Piper's ONNX contract. Its output is noise: it is a cost model, not
a voice.

Architecture (rhasspy/piper `piper_train`: vits/models.py, modules.py, attentions.py,
transforms.py; lightning.py defaults = `--quality medium`):

  text encoder   embedding n_vocab×192, 6 × [relative-position MHA (2 heads, window 4) + FFN
                 192→768→192 (kernel 3)], each followed by LayerNorm; 1×1 proj to 2×192 (m, logs)
  duration       StochasticDurationPredictor(192, 192, kernel 3, p_dropout 0.5, 4 flows), reverse
                 path as Piper runs it: pre 1×1, DDSConv (3 layers, dilations 1/3/9), proj 1×1,
                 noise × noise_w, Flip/ConvFlow × 3 (rational-quadratic splines, 10 bins, tail 5),
                 Flip, ElementwiseAffine
  alignment      w = exp(logw) · length_scale, ceil, path by cumulative sums (generate_path)
  flow           ResidualCouplingBlock: 4 × [mean-only coupling layer, WN 4 layers kernel 5
                 dilation 1 hidden 192, + Flip], run in reverse
  generator      HiFi-GAN, Piper medium = resblock "2", kernels (3, 5, 7), dilations ((1,2),
                 (2,6), (3,12)), upsample rates (8, 8, 4) = hop 256, initial channels 256,
                 upsample kernels (16, 16, 8); leaky ReLU 0.1, tanh output

Piper's "high" quality instead uses resblock "1", kernels (3, 7, 11), dilations (1,3,5)×3,
upsample rates (8, 8, 2, 2), 512 initial channels, upsample kernels (16, 16, 4, 4); "x_low"
shrinks hidden/inter to 96 and filter to 384. Neither is built here.

ONNX contract (piper_train/export_onnx.py): opset 15; inputs `input` int64 [B, N], `input_lengths`
int64 [B], `scales` float32 [3] = (noise_scale, length_scale, noise_w); output `output` float32
[B, 1, T]; N and T dynamic. Training-only parts (posterior encoder, the duration predictor's
posterior flows, discriminators) are not built, as Piper's export drops them too.

Durations: random weights would give random lengths, so the duration predictor's last layer (the
ElementwiseAffine that ends its reverse pass) gets a gain of e^-GAIN_LOG instead of ~1 and a bias
that puts every phoneme id at FRAMES_PER_ID frames (× length_scale). All of the predictor's
compute stays in the graph; the noise it samples still passes through, scaled to nothing.

Deviations from Piper's code that do not change the cost: weight norm is not used (Piper's export
removes it from the generator, and constant folding bakes it into the flow's weights anyway); the
spline flows compute every element and select with `where` instead of masked scatter (2 channels ×
N phonemes, negligible); the SDP noise is `randn_like` on a [B, 2, N] slice instead of `randn`
with a traced shape.

    /usr/bin/python3 tools/vits-reference/build_reference_vits.py [--out DIR] [--id ID]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys
import tempfile
import time

SYSTEM_PYTHON = '/usr/bin/python3'
try:
    import torch
    import torch.nn.functional as F
    from torch import nn
except ImportError:
    # A pyenv or venv `python3` may lack Debian's python3-torch: use the system one.
    if os.path.realpath(sys.executable) != os.path.realpath(SYSTEM_PYTHON) and os.path.exists(SYSTEM_PYTHON):
        os.execv(SYSTEM_PYTHON, [SYSTEM_PYTHON, *sys.argv])
    raise

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SOURCE_CONFIG = os.path.join(REPO, 'voices', 'speechgate-en.onnx.json')

OPSET = 15
SEED = 1234
SAMPLE_RATE = 22050

# Piper medium (piper_train/vits/lightning.py defaults, __main__.py --quality medium).
MEDIUM = {
    'inter_channels': 192,
    'hidden_channels': 192,
    'filter_channels': 768,
    'n_heads': 2,
    'n_layers': 6,
    'kernel_size': 3,
    'window_size': 4,
    'sdp': {'filter_channels': 192, 'kernel_size': 3, 'p_dropout': 0.5, 'n_flows': 4},
    'flow': {'n_flows': 4, 'kernel_size': 5, 'dilation_rate': 1, 'n_layers': 4},
    'resblock': '2',
    'resblock_kernel_sizes': [3, 5, 7],
    'resblock_dilation_sizes': [[1, 2], [2, 6], [3, 12]],
    'upsample_rates': [8, 8, 4],
    'upsample_initial_channel': 256,
    'upsample_kernel_sizes': [16, 16, 8],
}

# Frames (256 samples each) per phoneme id at length_scale 1. Calibrated against the built-in
# voice on the delivery bench's six sentences: it says them in 18.77 s from 642 phoneme ids (Piper
# layout, pads included), 2.52 frames per id. A constant duration gives a whole number of frames
# per id: 3 lands 19 % longer (2 would be 21 % shorter). The value handed to ceil() sits half a
# frame below, so the noise left in it never tips it over.
FRAMES_PER_ID = 3
GAIN_LOG = 10.0


# ----------------------------------------------------------------------------------- building blocks


class ChannelNorm(nn.Module):
    """LayerNorm over the channel axis of a [B, C, T] tensor (VITS's modules.LayerNorm)."""

    def __init__(self, channels: int):
        super().__init__()
        self.channels = channels
        self.gamma = nn.Parameter(torch.ones(channels))
        self.beta = nn.Parameter(torch.zeros(channels))

    def forward(self, x):
        y = F.layer_norm(x.transpose(1, -1), (self.channels,), self.gamma, self.beta, 1e-5)
        return y.transpose(1, -1)


def lengths_mask(lengths, longest):
    """[B] lengths → [B, longest] bool, true inside each item."""
    steps = torch.arange(longest, dtype=lengths.dtype, device=lengths.device)
    return steps.unsqueeze(0) < lengths.unsqueeze(1)


class RelativeSelfAttention(nn.Module):
    """Multi-head self-attention with Shaw-style relative position keys and values shared by
    the heads (window ±4), as VITS's attentions.MultiHeadAttention with window_size set."""

    def __init__(self, channels: int, n_heads: int, window: int):
        super().__init__()
        self.n_heads = n_heads
        self.head_channels = channels // n_heads
        self.window = window
        self.q = nn.Conv1d(channels, channels, 1)
        self.k = nn.Conv1d(channels, channels, 1)
        self.v = nn.Conv1d(channels, channels, 1)
        self.o = nn.Conv1d(channels, channels, 1)
        for conv in (self.q, self.k, self.v):
            nn.init.xavier_uniform_(conv.weight)
        std = self.head_channels**-0.5
        self.rel_k = nn.Parameter(torch.randn(1, 2 * window + 1, self.head_channels) * std)
        self.rel_v = nn.Parameter(torch.randn(1, 2 * window + 1, self.head_channels) * std)

    def relative_table(self, table, length):
        """The table's 2·window+1 rows, zero-extended (or cropped) to 2·length-1 positions."""
        extra = length - (self.window + 1)
        return F.pad(table, (0, 0, extra, extra, 0, 0))

    @staticmethod
    def relative_to_absolute(x):
        """[B, H, L, 2L-1] relative logits → [B, H, L, L] (the pad-and-reshape skew)."""
        b, h, length, _ = x.size()
        x = F.pad(x, (0, 1, 0, 0, 0, 0, 0, 0))
        flat = F.pad(x.reshape(b, h, length * 2 * length), (0, length - 1, 0, 0, 0, 0))
        return flat.reshape(b, h, length + 1, 2 * length - 1)[:, :, :length, length - 1 :]

    @staticmethod
    def absolute_to_relative(x):
        """[B, H, L, L] weights → [B, H, L, 2L-1], the inverse skew."""
        b, h, length, _ = x.size()
        x = F.pad(x, (0, length - 1, 0, 0, 0, 0, 0, 0))
        flat = F.pad(x.reshape(b, h, length * length + length * (length - 1)), (length, 0, 0, 0, 0, 0))
        return flat.reshape(b, h, length, 2 * length)[:, :, :, 1:]

    def forward(self, x, mask):
        b, c, t = x.size()
        heads = lambda y: y.reshape(b, self.n_heads, self.head_channels, t).transpose(2, 3)  # noqa: E731
        q = heads(self.q(x)) / math.sqrt(self.head_channels)
        k = heads(self.k(x))
        v = heads(self.v(x))
        scores = torch.matmul(q, k.transpose(-2, -1))
        rel_logits = torch.matmul(q, self.relative_table(self.rel_k, t).unsqueeze(0).transpose(-2, -1))
        scores = scores + self.relative_to_absolute(rel_logits)
        scores = scores.masked_fill(mask == 0, -1e4)
        weights = F.softmax(scores, dim=-1)
        out = torch.matmul(weights, v)
        out = out + torch.matmul(self.absolute_to_relative(weights), self.relative_table(self.rel_v, t).unsqueeze(0))
        return self.o(out.transpose(2, 3).reshape(b, c, t))


class FeedForward(nn.Module):
    """Conv → ReLU → conv with 'same' padding, masked (VITS's attentions.FFN)."""

    def __init__(self, channels: int, filter_channels: int, kernel_size: int):
        super().__init__()
        self.left = (kernel_size - 1) // 2
        self.right = kernel_size // 2
        self.conv_1 = nn.Conv1d(channels, filter_channels, kernel_size)
        self.conv_2 = nn.Conv1d(filter_channels, channels, kernel_size)

    def forward(self, x, mask):
        x = self.conv_1(F.pad(x * mask, (self.left, self.right, 0, 0, 0, 0)))
        x = torch.relu(x)
        x = self.conv_2(F.pad(x * mask, (self.left, self.right, 0, 0, 0, 0)))
        return x * mask


class TextEncoder(nn.Module):
    def __init__(self, n_vocab: int, cfg: dict):
        super().__init__()
        hidden = cfg['hidden_channels']
        self.hidden = hidden
        self.inter = cfg['inter_channels']
        self.emb = nn.Embedding(n_vocab, hidden)
        nn.init.normal_(self.emb.weight, 0.0, hidden**-0.5)
        self.attention = nn.ModuleList()
        self.norm_1 = nn.ModuleList()
        self.ffn = nn.ModuleList()
        self.norm_2 = nn.ModuleList()
        for _ in range(cfg['n_layers']):
            self.attention.append(RelativeSelfAttention(hidden, cfg['n_heads'], cfg['window_size']))
            self.norm_1.append(ChannelNorm(hidden))
            self.ffn.append(FeedForward(hidden, cfg['filter_channels'], cfg['kernel_size']))
            self.norm_2.append(ChannelNorm(hidden))
        self.proj = nn.Conv1d(hidden, 2 * self.inter, 1)

    def forward(self, ids, lengths):
        x = (self.emb(ids) * math.sqrt(self.hidden)).transpose(1, -1)  # [B, H, N]
        mask = lengths_mask(lengths, x.size(2)).unsqueeze(1).to(x.dtype)
        attn_mask = mask.unsqueeze(2) * mask.unsqueeze(-1)
        x = x * mask
        for attention, norm_1, ffn, norm_2 in zip(self.attention, self.norm_1, self.ffn, self.norm_2):
            x = norm_1(x + attention(x, attn_mask))
            x = norm_2(x + ffn(x, mask))
        x = x * mask
        stats = self.proj(x) * mask
        m, logs = torch.split(stats, self.inter, dim=1)
        return x, m, logs, mask


class DDSConv(nn.Module):
    """Dilated depth-separable convolutions with LayerNorm and GELU (VITS's modules.DDSConv)."""

    def __init__(self, channels: int, kernel_size: int, n_layers: int):
        super().__init__()
        self.separable = nn.ModuleList()
        self.pointwise = nn.ModuleList()
        self.norms_1 = nn.ModuleList()
        self.norms_2 = nn.ModuleList()
        for i in range(n_layers):
            dilation = kernel_size**i
            self.separable.append(
                nn.Conv1d(channels, channels, kernel_size, groups=channels, dilation=dilation,
                          padding=same_padding(kernel_size, dilation))
            )
            self.pointwise.append(nn.Conv1d(channels, channels, 1))
            self.norms_1.append(ChannelNorm(channels))
            self.norms_2.append(ChannelNorm(channels))

    def forward(self, x, mask, g=None):
        if g is not None:
            x = x + g
        for sep, point, n1, n2 in zip(self.separable, self.pointwise, self.norms_1, self.norms_2):
            y = F.gelu(n1(sep(x * mask)))
            y = F.gelu(n2(point(y)))
            x = x + y
        return x * mask


MIN_BIN = 1e-3
MIN_DERIVATIVE = 1e-3


def inverse_rq_spline(x, widths_u, heights_u, derivs_u, bound: float):
    """Inverse of an unconstrained rational-quadratic spline with linear tails (Durkan et al.;
    VITS's transforms.py), evaluated everywhere and selected with `where` inside [-bound, bound]."""
    bins = widths_u.shape[-1]
    inside = (x >= -bound) & (x <= bound)
    xc = torch.clamp(x, -bound, bound)
    edge = math.log(math.exp(1 - MIN_DERIVATIVE) - 1)
    edge_col = torch.full_like(derivs_u[..., :1], edge)
    derivs = MIN_DERIVATIVE + F.softplus(torch.cat([edge_col, derivs_u, edge_col], dim=-1))

    def knots(unnormalised):
        sizes = MIN_BIN + (1 - MIN_BIN * bins) * F.softmax(unnormalised, dim=-1)
        cum = F.pad(torch.cumsum(sizes, dim=-1), (1, 0), mode='constant', value=0.0)
        cum = 2 * bound * cum - bound
        cum = torch.cat([torch.full_like(cum[..., :1], -bound), cum[..., 1:-1], torch.full_like(cum[..., :1], bound)], -1)
        return cum, cum[..., 1:] - cum[..., :-1]

    cumwidths, widths = knots(widths_u)
    cumheights, heights = knots(heights_u)
    # Which bin each input falls in (searchsorted as a comparison count, as VITS exports it).
    located = torch.cat([cumheights[..., :-1], cumheights[..., -1:] + 1e-6], dim=-1)
    idx = (torch.sum((xc.unsqueeze(-1) >= located).long(), dim=-1) - 1).clamp(0, bins - 1).unsqueeze(-1)
    pick = lambda t: t.gather(-1, idx).squeeze(-1)  # noqa: E731
    cw, w, ch, h = pick(cumwidths), pick(widths), pick(cumheights), pick(heights)
    delta = pick(heights / widths)
    d0 = pick(derivs)
    d1 = derivs[..., 1:].gather(-1, idx).squeeze(-1)
    spread = d0 + d1 - 2 * delta
    a = (xc - ch) * spread + h * (delta - d0)
    b = h * d0 - (xc - ch) * spread
    c = -delta * (xc - ch)
    disc = torch.clamp(b.pow(2) - 4 * a * c, min=0.0)
    root = (2 * c) / (-b - torch.sqrt(disc))
    return torch.where(inside, root * w + cw, x)


class ConvFlow(nn.Module):
    def __init__(self, channels: int, filter_channels: int, kernel_size: int, n_layers: int = 3,
                 bins: int = 10, bound: float = 5.0):
        super().__init__()
        self.half = channels // 2
        self.filter_channels = filter_channels
        self.bins = bins
        self.bound = bound
        self.pre = nn.Conv1d(self.half, filter_channels, 1)
        self.convs = DDSConv(filter_channels, kernel_size, n_layers)
        self.proj = nn.Conv1d(filter_channels, self.half * (3 * bins - 1), 1)
        # Piper zero-initialises this; small random values keep the spline non-trivial.
        nn.init.normal_(self.proj.weight, 0.0, 0.01)
        nn.init.zeros_(self.proj.bias)

    def reverse(self, x, mask, g):
        x0, x1 = torch.split(x, [self.half, self.half], 1)
        h = self.proj(self.convs(self.pre(x0), mask, g=g)) * mask
        b, c, t = x0.shape
        h = h.reshape(b, c, -1, t).permute(0, 1, 3, 2)  # [B, half, T, 3·bins-1]
        scale = math.sqrt(self.filter_channels)
        x1 = inverse_rq_spline(x1, h[..., : self.bins] / scale, h[..., self.bins : 2 * self.bins] / scale,
                               h[..., 2 * self.bins :], self.bound)
        return torch.cat([x0, x1], 1) * mask


class DurationEndAffine(nn.Module):
    """ElementwiseAffine, the last layer of the SDP's reverse pass: x ↦ (x − m)·e^(−logs)."""

    def __init__(self, channels: int):
        super().__init__()
        self.m = nn.Parameter(torch.zeros(channels, 1))
        self.logs = nn.Parameter(torch.zeros(channels, 1))

    def reverse(self, x, mask):
        return (x - self.m) * torch.exp(-self.logs) * mask


class StochasticDurationPredictor(nn.Module):
    """VITS's SDP, inference direction only (what Piper's ONNX export contains)."""

    def __init__(self, in_channels: int, cfg: dict):
        super().__init__()
        filt = in_channels  # VITS ignores filter_channels here ("to be removed in future version")
        k = cfg['kernel_size']
        self.pre = nn.Conv1d(in_channels, filt, 1)
        self.convs = DDSConv(filt, k, 3)
        self.proj = nn.Conv1d(filt, filt, 1)
        # Training builds n_flows ConvFlows; the reverse pass skips the first ("useless vflow").
        self.flows = nn.ModuleList([ConvFlow(2, filt, k, n_layers=3) for _ in range(cfg['n_flows'] - 1)])
        self.end = DurationEndAffine(2)

    def forward(self, x, mask, noise_w):
        x = self.proj(self.convs(self.pre(torch.detach(x)), mask)) * mask
        z = torch.randn_like(x[:, :2, :]) * noise_w
        for flow in self.flows:  # reverse order: Flip, ConvFlow, …, Flip, ElementwiseAffine
            z = flow.reverse(torch.flip(z, [1]), mask, x)
        z = self.end.reverse(torch.flip(z, [1]), mask)
        return z[:, :1, :]  # log durations


class WaveNet(nn.Module):
    """Non-causal WaveNet with gated tanh·sigmoid units (VITS's modules.WN, no conditioning)."""

    def __init__(self, hidden: int, kernel_size: int, dilation_rate: int, n_layers: int):
        super().__init__()
        self.hidden = hidden
        self.n_layers = n_layers
        self.in_layers = nn.ModuleList()
        self.res_skip = nn.ModuleList()
        for i in range(n_layers):
            dilation = dilation_rate**i
            self.in_layers.append(nn.Conv1d(hidden, 2 * hidden, kernel_size, dilation=dilation,
                                            padding=same_padding(kernel_size, dilation)))
            self.res_skip.append(nn.Conv1d(hidden, 2 * hidden if i < n_layers - 1 else hidden, 1))

    def forward(self, x, mask):
        output = torch.zeros_like(x)
        for i in range(self.n_layers):
            x_in = self.in_layers[i](x)
            x_in = x_in + torch.zeros_like(x_in)  # VITS adds the (absent) speaker conditioning
            acts = torch.tanh(x_in[:, : self.hidden]) * torch.sigmoid(x_in[:, self.hidden :])
            rs = self.res_skip[i](acts)
            if i < self.n_layers - 1:
                x = (x + rs[:, : self.hidden]) * mask
                output = output + rs[:, self.hidden :]
            else:
                output = output + rs
        return output * mask


class CouplingLayer(nn.Module):
    """Mean-only residual coupling layer (VITS's modules.ResidualCouplingLayer)."""

    def __init__(self, channels: int, hidden: int, kernel_size: int, dilation_rate: int, n_layers: int):
        super().__init__()
        self.half = channels // 2
        self.pre = nn.Conv1d(self.half, hidden, 1)
        self.enc = WaveNet(hidden, kernel_size, dilation_rate, n_layers)
        self.post = nn.Conv1d(hidden, self.half, 1)
        # Piper zero-initialises this; small random values keep the flow non-trivial.
        nn.init.normal_(self.post.weight, 0.0, 0.01)
        nn.init.zeros_(self.post.bias)

    def reverse(self, x, mask):
        x0, x1 = torch.split(x, [self.half, self.half], 1)
        m = self.post(self.enc(self.pre(x0) * mask, mask)) * mask
        return torch.cat([x0, (x1 - m) * mask], 1)


class ResidualCouplingBlock(nn.Module):
    def __init__(self, channels: int, hidden: int, cfg: dict):
        super().__init__()
        self.layers = nn.ModuleList(
            [CouplingLayer(channels, hidden, cfg['kernel_size'], cfg['dilation_rate'], cfg['n_layers'])
             for _ in range(cfg['n_flows'])]
        )

    def reverse(self, x, mask):
        for layer in reversed(self.layers):  # training order: layer, Flip; reversed: Flip, layer
            x = layer.reverse(torch.flip(x, [1]), mask)
        return x


def same_padding(kernel_size: int, dilation: int) -> int:
    return (kernel_size * dilation - dilation) // 2


class ResBlock2(nn.Module):
    def __init__(self, channels: int, kernel_size: int, dilations):
        super().__init__()
        self.convs = nn.ModuleList(
            [nn.Conv1d(channels, channels, kernel_size, 1, dilation=d, padding=same_padding(kernel_size, d))
             for d in dilations]
        )

    def forward(self, x):
        for conv in self.convs:
            x = x + conv(F.leaky_relu(x, 0.1))
        return x


class Generator(nn.Module):
    """HiFi-GAN generator as VITS/Piper configure it (weight norm already removed)."""

    def __init__(self, in_channels: int, cfg: dict):
        super().__init__()
        ch = cfg['upsample_initial_channel']
        self.n_kernels = len(cfg['resblock_kernel_sizes'])
        self.conv_pre = nn.Conv1d(in_channels, ch, 7, 1, padding=3)
        # Piper medium uses resblock type 2, the only one built here.
        assert cfg['resblock'] == '2', cfg['resblock']
        block = ResBlock2
        self.ups = nn.ModuleList()
        self.blocks = nn.ModuleList()
        for i, (u, k) in enumerate(zip(cfg['upsample_rates'], cfg['upsample_kernel_sizes'])):
            self.ups.append(nn.ConvTranspose1d(ch // 2**i, ch // 2 ** (i + 1), k, u, padding=(k - u) // 2))
            for rk, rd in zip(cfg['resblock_kernel_sizes'], cfg['resblock_dilation_sizes']):
                self.blocks.append(block(ch // 2 ** (i + 1), rk, rd))
        self.conv_post = nn.Conv1d(ch // 2 ** len(self.ups), 1, 7, 1, padding=3, bias=False)

    def forward(self, x):
        x = self.conv_pre(x)
        for i, up in enumerate(self.ups):
            x = up(F.leaky_relu(x, 0.1))
            blocks = self.blocks[i * self.n_kernels : (i + 1) * self.n_kernels]
            xs = blocks[0](x)
            for block in blocks[1:]:
                xs = xs + block(x)
            x = xs / self.n_kernels
        return torch.tanh(self.conv_post(F.leaky_relu(x)))


def alignment_path(durations, mask):
    """[B, 1, N] integer durations, [B, 1, T, N] mask → [B, 1, T, N] monotonic path (generate_path)."""
    b, _, t_y, t_x = mask.shape
    ends = torch.cumsum(durations, -1).reshape(b * t_x)
    path = lengths_mask(ends, t_y).to(mask.dtype).reshape(b, t_x, t_y)
    path = path - F.pad(path, (0, 0, 1, 0, 0, 0))[:, :-1]
    return path.unsqueeze(1).transpose(2, 3) * mask


class PiperMediumReference(nn.Module):
    """VITS inference (SynthesizerTrn.infer) wrapped in Piper's export signature."""

    def __init__(self, n_vocab: int, cfg: dict):
        super().__init__()
        self.enc_p = TextEncoder(n_vocab, cfg)
        self.dp = StochasticDurationPredictor(cfg['hidden_channels'], cfg['sdp'])
        self.flow = ResidualCouplingBlock(cfg['inter_channels'], cfg['hidden_channels'], cfg['flow'])
        self.dec = Generator(cfg['inter_channels'], cfg)

    def forward(self, ids, lengths, scales):
        noise_scale, length_scale, noise_w = scales[0], scales[1], scales[2]
        x, m_p, logs_p, x_mask = self.enc_p(ids, lengths)
        logw = self.dp(x, x_mask, noise_w)
        w_ceil = torch.ceil(torch.exp(logw) * x_mask * length_scale)
        y_lengths = torch.clamp_min(torch.sum(w_ceil, [1, 2]), 1).long()
        y_mask = lengths_mask(y_lengths, y_lengths.max()).unsqueeze(1).to(x_mask.dtype)
        attn = alignment_path(w_ceil, x_mask.unsqueeze(2) * y_mask.unsqueeze(-1)).squeeze(1)
        m_p = torch.matmul(attn, m_p.transpose(1, 2)).transpose(1, 2)
        logs_p = torch.matmul(attn, logs_p.transpose(1, 2)).transpose(1, 2)
        z_p = m_p + torch.randn_like(m_p) * torch.exp(logs_p) * noise_scale
        z = self.flow.reverse(z_p, y_mask)
        return self.dec(z * y_mask)  # [B, 1, T]


# ----------------------------------------------------------------------------------- build


def calibrate_durations(model: PiperMediumReference, frames_per_id: int) -> None:
    """Gain e^-GAIN_LOG on the SDP's last layer; bias so exp(logw) = frames_per_id − 0.5."""
    target = math.log(frames_per_id - 0.5)
    with torch.no_grad():
        model.dp.end.logs.fill_(GAIN_LOG)
        # (z − m)·e^-L = target  ⇒  m = −target·e^L (z's contribution shrinks by e^-L).
        model.dp.end.m.fill_(-target * math.exp(GAIN_LOG))


def sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--out', help='output directory (default: a new temporary directory)')
    parser.add_argument('--id', default='vits-medium-reference', help='voice id = file stem')
    parser.add_argument('--source-config', default=SOURCE_CONFIG,
                        help="Piper config whose phoneme map and espeak settings are copied")
    parser.add_argument('--frames-per-id', type=int, default=FRAMES_PER_ID)
    parser.add_argument('--seed', type=int, default=SEED)
    args = parser.parse_args()

    started = time.time()
    torch.manual_seed(args.seed)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    out = args.out or tempfile.mkdtemp(prefix='vits-reference-')
    os.makedirs(out, exist_ok=True)
    with open(args.source_config, encoding='utf-8') as f:
        source = json.load(f)
    id_map: dict[str, list[int]] = source['phoneme_id_map']
    n_vocab = max(int(source.get('num_symbols') or 0), 1 + max(i for ids in id_map.values() for i in ids))

    model = PiperMediumReference(n_vocab, MEDIUM).eval()
    calibrate_durations(model, args.frames_per_id)
    params = sum(p.numel() for p in model.parameters())
    parts = {name: sum(p.numel() for p in mod.parameters()) for name, mod in model.named_children()}

    # Piper's dummy input: 50 random ids.
    ids = torch.randint(low=0, high=n_vocab, size=(1, 50), dtype=torch.long)
    lengths = torch.LongTensor([ids.size(1)])
    scales = torch.FloatTensor([0.667, 1.0, 0.8])
    with torch.no_grad():
        audio = model(ids, lengths, scales)
    expect = 50 * args.frames_per_id * 256
    if audio.shape != (1, 1, expect) or not torch.isfinite(audio).all():
        sys.exit(f'unexpected output {tuple(audio.shape)} (want (1, 1, {expect})) or non-finite values')

    model_path = os.path.join(out, f'{args.id}.onnx')
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # tracer warnings about Python ints in shape arithmetic
        torch.onnx.export(
            model,
            (ids, lengths, scales),
            model_path,
            opset_version=OPSET,
            input_names=['input', 'input_lengths', 'scales'],
            output_names=['output'],
            dynamic_axes={
                'input': {0: 'batch_size', 1: 'phonemes'},
                'input_lengths': {0: 'batch_size'},
                'output': {0: 'batch_size', 2: 'time'},
            },
        )

    config = {k: v for k, v in source.items() if k != 'speechgate'}
    config.update({
        'dataset': f'{args.id} (random weights, Piper-medium architecture: a cost model, not a voice)',
        'description': (
            'Compute-equivalent reference for a Piper "medium" VITS voice: the exact network and '
            'layer sizes, seeded random weights, Piper\'s ONNX inputs and outputs. It outputs noise; '
            'use it only to measure what a real Piper-medium voice costs to run.'
        ),
        'audio': {'sample_rate': SAMPLE_RATE, 'quality': 'medium'},
        'num_symbols': n_vocab,
        'num_speakers': 1,
        'speaker_id_map': {},
    })
    size = os.path.getsize(model_path)
    config['speechgate'] = {
        'method': 'random-weight VITS, Piper-medium architecture (tools/vits-reference)',
        'architecture': MEDIUM,
        'hop': 256,
        'frames_per_id': args.frames_per_id,
        'seed': args.seed,
        'parameters': params,
        'parameters_by_part': parts,
        'onnx_bytes': size,
        'onnx_opset': OPSET,
        'torch': torch.__version__,
    }
    config_path = f'{model_path}.json'
    with open(config_path, 'w', encoding='utf-8') as f:
        json.dump(config, f, ensure_ascii=False, indent=2)
        f.write('\n')

    took = time.time() - started
    print(f'architecture: Piper medium VITS (resblock {MEDIUM["resblock"]}, upsample {MEDIUM["upsample_rates"]}, '
          f'initial channels {MEDIUM["upsample_initial_channel"]}, SDP), n_vocab {n_vocab}, opset {OPSET}')
    print('parameters: ' + f'{params:,}' + ' (' + ', '.join(f'{k} {v:,}' for k, v in parts.items()) + ')')
    print(f'model: {model_path} ({size / 1e6:.1f} MB, sha256 {sha256(model_path)[:16]})')
    print(f'config: {config_path}')
    print(f'durations: {args.frames_per_id} frames ({args.frames_per_id * 256} samples) per phoneme id at length_scale 1')
    print(f'built in {took:.1f} s; output directory: {out}')


if __name__ == '__main__':
    main()
