/* evs-stcf-filter.c
 *
 * Copyright 2026 The Evscope authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 *
 * This program is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
 * GNU General Public License for more details.
 *
 * You should have received a copy of the GNU General Public License
 * along with this program.  If not, see <http://www.gnu.org/licenses/>.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "evs-stcf-filter"

#include "config.h"

#include "evs-stcf-filter.h"
#include "evs-filter-private.h"
#include "evs-simd-private.h"

#if defined (__SSE2__)
#include <emmintrin.h>
#endif

/* Spatio-temporal correlation filter (Guo & Delbruck 2022): an event is
 * kept when at least min_neighbors of its 8 neighbours (itself excluded) had
 * an event less than window_us before it (0 ≤ t - t_neighbour < window_us);
 * with polarity_match only neighbour events of the same polarity count.
 * Every event updates its pixel (its polarity plane with polarity_match). */

struct _EvsStcfFilter
{
  EvsFilter     parent_instance;
  EvsPixelTimes times;
  guint         window_us;
  guint         min_neighbors;
  gboolean      polarity_match;
};

enum {
  PROP_0,
  PROP_WINDOW_US,
  PROP_MIN_NEIGHBORS,
  PROP_POLARITY_MATCH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EvsStcfFilter, evs_stcf_filter, EVS_TYPE_FILTER)

static inline guint
count_recent (const guint32 *c,
              gsize          row,
              gsize          step,
              guint32        rt,
              guint32        w)
{
  const guint32 *a = c - row;
  const guint32 *b = c + row;

  return ((guint32) (rt - a[-step]) < w) + ((guint32) (rt - a[0]) < w)
         + ((guint32) (rt - a[step]) < w) + ((guint32) (rt - c[-step]) < w)
         + ((guint32) (rt - c[step]) < w) + ((guint32) (rt - b[-step]) < w)
         + ((guint32) (rt - b[0]) < w) + ((guint32) (rt - b[step]) < w);
}

#if defined (__x86_64__) && defined (__GNUC__)
#define HAVE_STCF_X86 1
#include <immintrin.h>

#define STCF_AVX512_TARGET "avx512f,avx512vl,avx512bw,popcnt"

/* One polarity layer with AVX-512: the relative times and the offsets of
 * 64 events at a time computed in vectors first; then for each event the
 * rows above and below and its own row in one 512-bit vector (lanes 0–3,
 * 4–7 and 8–11 hold columns x − 1 to x + 2), one unsigned compare into a
 * mask register and a popcount.  (GCC 12 warns of the undefined lanes its
 * own intrinsics leave: bug 105593.) */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
static inline __attribute__ ((always_inline, target (STCF_AVX512_TARGET))) void
stcf_loop_avx512 (guint32 *restrict       ts,
                  gsize                   row,
                  gint64                  base,
                  guint32                 w,
                  guint                   k,
                  const gint64 *restrict  t,
                  const guint16 *restrict x,
                  const guint16 *restrict y,
                  guint8                 *keep,
                  gsize                   start,
                  gsize                   end,
                  gboolean                masked)
{
  const __m512i vw = _mm512_set1_epi32 ((int) w);
  const __m512i vrow = _mm512_set1_epi32 ((int) row);
  const __m512i vbase = _mm512_set1_epi64 (base);
  /* above: lanes 0–2, below: 4–6, beside (not self): 8 and 10 */
  const __mmask16 neighbours = 0x577;
  guint32 rts[64], offs[64];

  for (gsize i = start; i < end; i += 64)
    {
      gsize len = MIN (64, end - i);

      for (gsize j = 0; j < len; j += 16)
        {
          __mmask16 lanes = len - j >= 16 ? 0xFFFF : (__mmask16) ((1u << (len - j)) - 1);
          __m512i vx = _mm512_maskz_cvtepu16_epi32 (lanes, _mm256_maskz_loadu_epi16 (lanes, x + i + j));
          __m512i vy = _mm512_maskz_cvtepu16_epi32 (lanes, _mm256_maskz_loadu_epi16 (lanes, y + i + j));
          __m256i lo = _mm512_cvtepi64_epi32 (_mm512_sub_epi64 (_mm512_maskz_loadu_epi64 ((__mmask8) lanes, t + i + j), vbase));
          __m256i hi = _mm512_cvtepi64_epi32 (_mm512_sub_epi64 (_mm512_maskz_loadu_epi64 ((__mmask8) (lanes >> 8), t + i + j + 8), vbase));

          /* offset of (x − 1, y − 1), the first lane of the row above */
          _mm512_storeu_si512 (offs + j, _mm512_add_epi32 (_mm512_mullo_epi32 (vy, vrow), vx));
          _mm512_storeu_si512 (rts + j, _mm512_inserti64x4 (_mm512_castsi256_si512 (lo), hi, 1));
        }

      for (gsize j = 0; j < len; j++)
        {
          const guint32 *a = ts + offs[j];
          guint32 *c = (guint32 *) a + row + 1;
          __m512i rows = _mm512_inserti32x4 (
            _mm512_castsi256_si512 (_mm256_inserti128_si256 (
              _mm256_castsi128_si256 (_mm_loadu_si128 ((const __m128i *) (gconstpointer) a)),
              _mm_loadu_si128 ((const __m128i *) (gconstpointer) (a + 2 * row)), 1)),
            _mm_loadu_si128 ((const __m128i *) (gconstpointer) (a + row)), 2);
          __mmask16 recent = _mm512_mask_cmplt_epu32_mask (neighbours,
                                                           _mm512_sub_epi32 (_mm512_set1_epi32 ((int) rts[j]), rows),
                                                           vw);
          guint count = (guint) _mm_popcnt_u32 (recent);

          if (masked)
            {
              guint8 in = keep[i + j];

              keep[i + j] = in & (count >= k);
              c[0] = in ? rts[j] : c[0];
            }
          else
            {
              keep[i + j] = count >= k;
              c[0] = rts[j];
            }
        }
    }
}
#pragma GCC diagnostic pop

/* The loop specialised for process and refine */
__attribute__ ((target (STCF_AVX512_TARGET))) static void
stcf_loop_avx512_run (guint32 *restrict       ts,
                     gsize                   row,
                     gint64                  base,
                     guint32                 w,
                     guint                   k,
                     const gint64 *restrict  t,
                     const guint16 *restrict x,
                     const guint16 *restrict y,
                     guint8                 *keep,
                     gsize                   start,
                     gsize                   end,
                     gboolean                masked)
{
  if (masked)
    stcf_loop_avx512 (ts, row, base, w, k, t, x, y, keep, start, end, TRUE);
  else
    stcf_loop_avx512 (ts, row, base, w, k, t, x, y, keep, start, end, FALSE);
}
/* One polarity layer with AVX2: the rows above and below in one 256-bit
 * vector (lanes 0–3 and 4–7 hold columns x − 1 to x + 2), its own row in a
 * 128-bit one; unsigned compares as signed ones with the sign bit flipped,
 * their masks joined and counted with popcnt. */
__attribute__ ((target ("avx2,popcnt"))) static inline __attribute__ ((always_inline)) void
stcf_loop_avx2 (guint32 *restrict       ts,
                gsize                   row,
                gint64                  base,
                guint32                 w,
                guint                   k,
                const gint64 *restrict  t,
                const guint16 *restrict x,
                const guint16 *restrict y,
                guint8                 *keep,
                gsize                   start,
                gsize                   end,
                gboolean                masked)
{
  const __m256i bias = _mm256_set1_epi32 ((int) 0x80000000u);
  const __m256i vw = _mm256_set1_epi32 ((int) (w ^ 0x80000000u));

  for (gsize i = start; i < end; i++)
    {
      guint32 rt = (guint32) (t[i] - base);
      guint32 *c = ts + (gsize) (y[i] + 1) * row + x[i] + 1;
      __m256i vrt = _mm256_set1_epi32 ((int) rt);
      __m256i ab = _mm256_inserti128_si256 (
        _mm256_castsi128_si256 (_mm_loadu_si128 ((const __m128i *) (gpointer) (c - row - 1))),
        _mm_loadu_si128 ((const __m128i *) (gpointer) (c + row - 1)), 1);
      __m128i vc = _mm_loadu_si128 ((const __m128i *) (gpointer) (c - 1));
      __m256i rab = _mm256_cmpgt_epi32 (vw, _mm256_xor_si256 (_mm256_sub_epi32 (vrt, ab), bias));
      __m128i rc = _mm_cmpgt_epi32 (_mm256_castsi256_si128 (vw),
                                    _mm_xor_si128 (_mm_sub_epi32 (_mm256_castsi256_si128 (vrt), vc),
                                                   _mm256_castsi256_si128 (bias)));
      /* above: lanes 0–2, below: 4–6, beside (not self): 8 and 10 */
      guint recent = ((guint) _mm256_movemask_ps (_mm256_castsi256_ps (rab)) & 0x77)
                     | ((guint) _mm_movemask_ps (_mm_castsi128_ps (rc)) & 0x5) << 8;
      guint count = (guint) _mm_popcnt_u32 (recent);

      if (masked)
        {
          guint8 in = keep[i];

          keep[i] = in & (count >= k);
          c[0] = in ? rt : c[0];
        }
      else
        {
          keep[i] = count >= k;
          c[0] = rt;
        }
    }
}

/* The loop specialised for process and refine */
__attribute__ ((target ("avx2,popcnt"))) static void
stcf_loop_avx2_run (guint32 *restrict       ts,
                   gsize                   row,
                   gint64                  base,
                   guint32                 w,
                   guint                   k,
                   const gint64 *restrict  t,
                   const guint16 *restrict x,
                   const guint16 *restrict y,
                   guint8                 *keep,
                   gsize                   start,
                   gsize                   end,
                   gboolean                masked)
{
  if (masked)
    stcf_loop_avx2 (ts, row, base, w, k, t, x, y, keep, start, end, TRUE);
  else
    stcf_loop_avx2 (ts, row, base, w, k, t, x, y, keep, start, end, FALSE);
}
#endif


/* @masked: only the events with keep[i] set count and are recorded (refine);
 * one copy of the loops, specialised for process and refine by inlining */
static inline __attribute__ ((always_inline)) void
stcf_run (EvsStcfFilter       *self,
          const EvsEventChunk *chunk,
          guint8              *keep,
          gboolean             masked)
{
  EvsFilter *filter = (EvsFilter *) self;
  const gint64 *restrict t = chunk->t;
  const guint16 *restrict x = chunk->x;
  const guint16 *restrict y = chunk->y;
  const guint8 *restrict p = chunk->p;
  gsize n = chunk->n_events;
  guint32 *restrict ts;
  gsize row;
  gint64 base;
  guint32 w = self->window_us;
  guint k = self->min_neighbors;

  /* one segment, or more after a gap of over 35 minutes */
  for (gsize start = 0, end; start < n; start = end)
    {
      end = _evs_pixel_times_prepare (&self->times, filter, chunk, start);
      ts = self->times.ts;
      row = self->times.row;
      base = self->times.base;

      if (self->times.layers == 2)
        {
          for (gsize i = start; i < end; i++)
            {
              guint32 rt;
              guint32 *c;

              rt = (guint32) (t[i] - base);
              c = ts + ((gsize) (y[i] + 1) * (row / 2) + x[i] + 1) * 2 + (p[i] & 1);

              if (masked)
                {
                  guint8 in = keep[i];

                  keep[i] = in & (count_recent (c, row, 2, rt, w) >= k);
                  c[0] = in ? rt : c[0];
                }
              else
                {
                  keep[i] = count_recent (c, row, 2, rt, w) >= k;
                  c[0] = rt;
                }
            }
        }
#ifdef HAVE_STCF_X86
      /* (32-bit offsets) */
      else if (_evs_simd_level () == EVS_SIMD_AVX512
               && (guint64) (self->times.height + 2) * row <= G_MAXUINT32)
        {
          stcf_loop_avx512_run (ts, row, base, w, k, t, x, y, keep, start, end, masked);
        }
      else if (_evs_simd_level () >= EVS_SIMD_AVX2)
        {
          stcf_loop_avx2_run (ts, row, base, w, k, t, x, y, keep, start, end, masked);
        }
#endif
      else
        {
#if defined (__SSE2__)
          const __m128i bias = _mm_set1_epi32 ((int) 0x80000000u);
          const __m128i vw = _mm_set1_epi32 ((int) (w ^ 0x80000000u));
          const __m128i no_self = _mm_setr_epi32 (-1, 0, -1, 0);
          const __m128i three = _mm_setr_epi32 (-1, -1, -1, 0);

          for (gsize i = start; i < end; i++)
            {
              guint32 rt = (guint32) (t[i] - base);
              guint32 *c = ts + (gsize) (y[i] + 1) * row + x[i] + 1;
              __m128i vrt = _mm_set1_epi32 ((int) rt);
              __m128i va = _mm_loadu_si128 ((const __m128i *) (gpointer) (c - row - 1));
              __m128i vc = _mm_loadu_si128 ((const __m128i *) (gpointer) (c - 1));
              __m128i vb = _mm_loadu_si128 ((const __m128i *) (gpointer) (c + row - 1));
              __m128i ra = _mm_cmplt_epi32 (_mm_xor_si128 (_mm_sub_epi32 (vrt, va), bias), vw);
              __m128i rc = _mm_cmplt_epi32 (_mm_xor_si128 (_mm_sub_epi32 (vrt, vc), bias), vw);
              __m128i rb = _mm_cmplt_epi32 (_mm_xor_si128 (_mm_sub_epi32 (vrt, vb), bias), vw);
              /* lanes are -1 when recent: add them up (0 to -8 per lane) */
              __m128i sum = _mm_add_epi32 (_mm_and_si128 (_mm_add_epi32 (ra, rb), three),
                                           _mm_and_si128 (rc, no_self));
              __m128i hi = _mm_shuffle_epi32 (sum, _MM_SHUFFLE (1, 0, 3, 2));
              int count;

              sum = _mm_add_epi32 (sum, hi);
              sum = _mm_add_epi32 (sum, _mm_shuffle_epi32 (sum, _MM_SHUFFLE (2, 3, 0, 1)));
              count = -_mm_cvtsi128_si32 (sum);
              if (masked)
                {
                  guint8 in = keep[i];

                  keep[i] = in & ((guint) count >= k);
                  c[0] = in ? rt : c[0];
                }
              else
                {
                  keep[i] = (guint) count >= k;
                  c[0] = rt;
                }
            }
#else
          for (gsize i = start; i < end; i++)
            {
              guint32 rt;
              guint32 *c;

              rt = (guint32) (t[i] - base);
              c = ts + (gsize) (y[i] + 1) * row + x[i] + 1;

              if (masked)
                {
                  guint8 in = keep[i];

                  keep[i] = in & (count_recent (c, row, 1, rt, w) >= k);
                  c[0] = in ? rt : c[0];
                }
              else
                {
                  keep[i] = count_recent (c, row, 1, rt, w) >= k;
                  c[0] = rt;
                }
            }
#endif
        }
    }
}

static void
evs_stcf_filter_process (EvsFilter           *filter,
                         const EvsEventChunk *chunk,
                         guint8              *keep)
{
  stcf_run ((EvsStcfFilter *) filter, chunk, keep, FALSE);
}

static gboolean
evs_stcf_filter_refine (EvsFilter           *filter,
                        const EvsEventChunk *chunk,
                        guint8              *keep)
{
  stcf_run ((EvsStcfFilter *) filter, chunk, keep, TRUE);
  return TRUE;
}

static void
evs_stcf_filter_reset (EvsFilter *filter)
{
  EvsStcfFilter *self = (EvsStcfFilter *) filter;

  _evs_pixel_times_reset (&self->times);
}

static void
evs_stcf_filter_finalize (GObject *object)
{
  EvsStcfFilter *self = (EvsStcfFilter *) object;

  _evs_pixel_times_clear (&self->times);

  G_OBJECT_CLASS (evs_stcf_filter_parent_class)->finalize (object);
}

static void
evs_stcf_filter_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  EvsStcfFilter *self = EVS_STCF_FILTER (object);

  switch (prop_id)
    {
    case PROP_WINDOW_US:
      g_value_set_uint (value, self->window_us);
      break;

    case PROP_MIN_NEIGHBORS:
      g_value_set_uint (value, self->min_neighbors);
      break;

    case PROP_POLARITY_MATCH:
      g_value_set_boolean (value, self->polarity_match);
      break;


    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_stcf_filter_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  EvsStcfFilter *self = EVS_STCF_FILTER (object);

  switch (prop_id)
    {
    case PROP_WINDOW_US:
      if (self->window_us != g_value_get_uint (value))
        {
          self->window_us = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    case PROP_MIN_NEIGHBORS:
      if (self->min_neighbors != g_value_get_uint (value))
        {
          self->min_neighbors = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    case PROP_POLARITY_MATCH:
      if (self->polarity_match != g_value_get_boolean (value))
        {
          self->polarity_match = g_value_get_boolean (value);
          _evs_pixel_times_clear (&self->times);
          self->times.layers = self->polarity_match ? 2 : 1;
          g_object_notify_by_pspec (object, pspec);
        }
      break;


    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_stcf_filter_class_init (EvsStcfFilterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  EvsFilterClass *filter_class = EVS_FILTER_CLASS (klass);

  object_class->finalize = evs_stcf_filter_finalize;
  object_class->get_property = evs_stcf_filter_get_property;
  object_class->set_property = evs_stcf_filter_set_property;

  filter_class->type_name = "stcf";
  filter_class->process = evs_stcf_filter_process;
  filter_class->refine = evs_stcf_filter_refine;
  filter_class->reset = evs_stcf_filter_reset;

  properties[PROP_WINDOW_US] =
    g_param_spec_uint ("window-us", NULL, NULL, 1, EVS_FILTER_MAX_WINDOW_US, 5000,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MIN_NEIGHBORS] =
    g_param_spec_uint ("min-neighbors", NULL, NULL, 1, 8, 2,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_POLARITY_MATCH] =
    g_param_spec_boolean ("polarity-match", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
evs_stcf_filter_init (EvsStcfFilter *self)
{
  _evs_pixel_times_init (&self->times, 1);
  self->window_us = 5000;
  self->min_neighbors = 2;
  self->polarity_match = FALSE;
}

EvsFilter *
evs_stcf_filter_new (void)
{
  return g_object_new (EVS_TYPE_STCF_FILTER, NULL);
}
