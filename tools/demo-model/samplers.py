"""The samplers the demo model is checked with, written after diffusers' schedulers for the
demo's scheduler config (scaled_linear 0.00085..0.012, 1000 steps, steps_offset 1, epsilon).

Each sampler takes `eps(x, t)` (the guided noise prediction for latents x at UNet timestep
t, a float) and the starting noise, and returns the final latents. Only for measuring
adherence in Python; the TypeScript schedulers are the project's real ones.
"""
import math

import numpy as np
import torch

TRAIN_STEPS = 1000
STEPS_OFFSET = 1


def alphas_cumprod():
    betas = np.linspace(math.sqrt(0.00085), math.sqrt(0.012), TRAIN_STEPS, dtype=np.float64) ** 2
    return np.cumprod(1.0 - betas)


ALPHAS_CUMPROD = alphas_cumprod()
SIGMAS = np.sqrt((1 - ALPHAS_CUMPROD) / ALPHAS_CUMPROD)


def leading_timesteps(n):
    ratio = TRAIN_STEPS // n
    return (np.arange(n) * ratio).round()[::-1].astype(np.int64) + STEPS_OFFSET


def ddim(eps, noise, n, rng=None):
    ratio = TRAIN_STEPS // n
    x = noise
    for t in leading_timesteps(n):
        e = eps(x, float(t))
        a_t = ALPHAS_CUMPROD[t]
        prev = t - ratio
        a_prev = ALPHAS_CUMPROD[prev] if prev >= 0 else ALPHAS_CUMPROD[0]
        x0 = (x - math.sqrt(1 - a_t) * e) / math.sqrt(a_t)
        x = math.sqrt(a_prev) * x0 + math.sqrt(1 - a_prev) * e
    return x


def _pndm_prev(x, t, prev, e):
    a_t = ALPHAS_CUMPROD[t]
    a_prev = ALPHAS_CUMPROD[prev] if prev >= 0 else ALPHAS_CUMPROD[0]
    coeff = math.sqrt(a_prev / a_t)
    denom = a_t * math.sqrt(1 - a_prev) + math.sqrt(a_t * (1 - a_t) * a_prev)
    return coeff * x - (a_prev - a_t) * e / denom


def pndm(eps, noise, n, rng=None):
    """PNDM with skip_prk_steps (PLMS): n + 1 UNet calls, the second repeating a timestep."""
    ratio = TRAIN_STEPS // n
    ts = (np.arange(n) * ratio).round().astype(np.int64) + STEPS_OFFSET
    plms = np.concatenate([ts[:-1], ts[-2:-1], ts[-1:]])[::-1]
    x, ets, cur_sample = noise, [], None
    for counter, t in enumerate(plms):
        t = int(t)
        e = eps(x, float(t))
        prev = t - ratio
        if counter != 1:
            ets.append(e)
        else:
            prev, t = t, t + ratio
        if len(ets) == 1 and counter == 0:
            cur_sample = x
        elif len(ets) == 1 and counter == 1:
            e = (e + ets[-1]) / 2
            x, cur_sample = cur_sample, None
        elif len(ets) == 2:
            e = (3 * ets[-1] - ets[-2]) / 2
        elif len(ets) == 3:
            e = (23 * ets[-1] - 16 * ets[-2] + 5 * ets[-3]) / 12
        else:
            e = (55 * ets[-1] - 59 * ets[-2] + 37 * ets[-3] - 9 * ets[-4]) / 24
        x = _pndm_prev(x, t, prev, e)
    return x


def _sigma_to_t(sigma):
    log_sigmas = np.log(SIGMAS)
    log_sigma = np.log(max(sigma, 1e-10))
    dists = log_sigma - log_sigmas
    low = int(np.clip(np.cumsum(dists >= 0).argmax(), 0, len(log_sigmas) - 2))
    lo, hi = log_sigmas[low], log_sigmas[low + 1]
    w = np.clip((lo - log_sigma) / (lo - hi), 0, 1)
    return (1 - w) * low + w * (low + 1)


def sigma_schedule(n, spacing="linspace", karras=False, dpm=False):
    """(timesteps, sigmas with a final 0) as diffusers' sigma schedulers make them."""
    count = n + 1 if dpm else n
    if spacing == "linspace":
        ts = np.linspace(0, TRAIN_STEPS - 1, count)[::-1]
    elif spacing == "leading":
        ratio = TRAIN_STEPS // count
        ts = (np.arange(count) * ratio).round()[::-1].astype(np.float64) + STEPS_OFFSET
    else:
        raise ValueError(spacing)
    if dpm:
        ts = ts.round()[:-1]
    sigmas = np.interp(ts, np.arange(TRAIN_STEPS), SIGMAS)
    if karras:
        rho = 7.0
        ramp = np.linspace(0, 1, n)
        lo, hi = sigmas[-1] ** (1 / rho), sigmas[0] ** (1 / rho)
        sigmas = (hi + ramp * (lo - hi)) ** rho
        ts = np.array([_sigma_to_t(s) for s in sigmas])
        if dpm:
            ts = ts.round()
    return ts, np.append(sigmas, 0.0)


def _init_sigma(sigmas, spacing):
    return sigmas.max() if spacing == "linspace" else math.sqrt(sigmas.max() ** 2 + 1)


def euler(eps, noise, n, rng=None, spacing="linspace", karras=False, ancestral=False, start=0, init=None, blend=None):
    """start, init: img2img as diffusers' get_timesteps (begin at step `start`, the init
    latents noised to that step's sigma); blend(x, sigma_next): called after each step
    (4-channel inpainting's latent blending)."""
    ts, sigmas = sigma_schedule(n, spacing, karras)
    x = noise * _init_sigma(sigmas, spacing) if init is None else init + noise * sigmas[start]
    for i in range(start, len(ts)):
        t = ts[i]
        s, s_next = sigmas[i], sigmas[i + 1]
        e = eps(x / math.sqrt(s * s + 1), float(t))
        if ancestral:
            up = math.sqrt(s_next ** 2 * (s ** 2 - s_next ** 2) / s ** 2)
            down = math.sqrt(s_next ** 2 - up ** 2)
            x = x + e * (down - s) + rng(x.shape) * up
        else:
            x = x + e * (s_next - s)
        if blend is not None:
            x = blend(x, s_next)
    return x


def euler_a(eps, noise, n, rng=None, spacing="linspace", karras=False):
    return euler(eps, noise, n, rng, spacing, karras, ancestral=True)


def _lms_coefficient(sigmas, order, i, current):
    """Integral over [sigma_i, sigma_i+1] of the Lagrange basis polynomial `current`."""
    nodes, weights = np.polynomial.legendre.leggauss(8)
    a, b = sigmas[i], sigmas[i + 1]
    tau = (b - a) / 2 * nodes + (a + b) / 2
    prod = np.ones_like(tau)
    for k in range(order):
        if k != current:
            prod *= (tau - sigmas[i - k]) / (sigmas[i - current] - sigmas[i - k])
    return float((b - a) / 2 * np.sum(weights * prod))


def lms(eps, noise, n, rng=None, spacing="linspace", karras=False, order=4):
    ts, sigmas = sigma_schedule(n, spacing, karras)
    x = noise * _init_sigma(sigmas, spacing)
    derivatives = []
    for i, t in enumerate(ts):
        s = sigmas[i]
        derivatives.append(eps(x / math.sqrt(s * s + 1), float(t)))
        derivatives = derivatives[-order:]
        k = min(i + 1, order)
        coeffs = [_lms_coefficient(sigmas, k, i, j) for j in range(k)]
        x = x + sum(c * d for c, d in zip(coeffs, reversed(derivatives)))
    return x


def dpmpp_2m(eps, noise, n, rng=None, spacing="linspace", karras=False):
    """DPM-Solver++(2M) as diffusers' multistep scheduler: first order on the first and
    last steps, final sigma 0."""
    ts, sigmas = sigma_schedule(n, spacing, karras, dpm=True)
    x = noise
    alphas = 1 / np.sqrt(sigmas ** 2 + 1)
    sig_t = sigmas * alphas
    with np.errstate(divide="ignore"):
        lambdas = np.log(alphas) - np.log(sig_t)
    x0_prev = None
    for i, t in enumerate(ts):
        e = eps(x, float(t))
        x0 = (x - sig_t[i] * e) / alphas[i]
        if i == len(ts) - 1:
            x = x0
        elif x0_prev is None:
            h = lambdas[i + 1] - lambdas[i]
            x = (sig_t[i + 1] / sig_t[i]) * x - alphas[i + 1] * math.expm1(-h) * x0
        else:
            h = lambdas[i + 1] - lambdas[i]
            r0 = (lambdas[i] - lambdas[i - 1]) / h
            d1 = (x0 - x0_prev) / r0
            x = (sig_t[i + 1] / sig_t[i]) * x - alphas[i + 1] * math.expm1(-h) * x0 - 0.5 * alphas[i + 1] * math.expm1(-h) * d1
        x0_prev = x0
    return x


SAMPLERS = {
    "pndm": pndm,
    "ddim": ddim,
    "euler": euler,
    "euler_a": euler_a,
    "lms": lms,
    "dpmpp_2m": dpmpp_2m,
}


def run_sampler(name, eps, noise, n, rng=None, **options):
    return SAMPLERS[name](eps, noise, n, rng, **options) if options else SAMPLERS[name](eps, noise, n, rng)


def add_noise(x0, noise, t):
    """q(x_t | x_0) for integer timesteps t (a LongTensor [B])."""
    a = torch.tensor(ALPHAS_CUMPROD, dtype=torch.float32)[t].view(-1, 1, 1, 1)
    return a.sqrt() * x0 + (1 - a).sqrt() * noise
