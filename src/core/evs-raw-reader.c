/* evs-raw-reader.c
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

#define G_LOG_DOMAIN "evs-raw-reader"

#include "config.h"

#include "evs-error.h"
#include "evs-file-source.h"
#include "evs-prophesee-header.h"
#include "evs-reader-private.h"
#include "evs-simd-private.h"

#include <stdlib.h>
#include <string.h>

/* The hot loops are compiled twice, for the x86-64 baseline and for AVX2,
 * and the variant follows _evs_simd_level(). */
#if defined(__x86_64__) && defined(__GNUC__)
#define EVS_DEFINE_DISPATCH(ret, name, params, ...)                             \
  static ret name##_generic params { return name##_body (__VA_ARGS__, FALSE); } \
  __attribute__ ((target ("avx2,popcnt"))) static ret name##_avx2 params        \
  { return name##_body (__VA_ARGS__, TRUE); }                                   \
  static ret name params                                                        \
  {                                                                             \
    if (_evs_simd_level () >= EVS_SIMD_AVX2)                                    \
      return name##_avx2 (__VA_ARGS__);                                         \
    return name##_generic (__VA_ARGS__);                                        \
  }

/* The EVT 3.0 loops have a third variant, for AVX-512 with VBMI2
 * (vpcompressw) and BITALG (vpopcntw): the body gets the level.  That
 * variant is compiled for AVX2 and calls the AVX-512 block loops, which
 * have their own target: compiled for AVX-512 the scalar parts of the body
 * run slower (by ~15 % on vector-rich streams).
 * EVS_DISABLE_AVX512 forces the AVX2 variant, EVS_DISABLE_AVX2 the
 * baseline. */
#define EVS_TARGET_AVX512 \
  "avx2,popcnt,bmi,bmi2,lzcnt,avx512f,avx512bw,avx512vl,avx512vbmi,avx512vbmi2,avx512bitalg"

#define EVS_DEFINE_DISPATCH3(ret, name, params, ...)                            \
  static ret name##_generic params                                              \
  { return name##_body (__VA_ARGS__, EVS_SIMD_NONE); }                          \
  __attribute__ ((target ("avx2,popcnt"))) static ret name##_avx2 params        \
  { return name##_body (__VA_ARGS__, EVS_SIMD_AVX2); }                          \
  __attribute__ ((target ("avx2,popcnt"))) static ret name##_avx512 params      \
  { return name##_body (__VA_ARGS__, EVS_SIMD_AVX512); }                        \
  static ret name params                                                        \
  {                                                                             \
    switch (_evs_simd_level ())                                                 \
      {                                                                         \
      case EVS_SIMD_AVX512:                                                     \
        return name##_avx512 (__VA_ARGS__);                                     \
      case EVS_SIMD_AVX2:                                                       \
        return name##_avx2 (__VA_ARGS__);                                       \
      case EVS_SIMD_NONE:                                                       \
      default:                                                                  \
        return name##_generic (__VA_ARGS__);                                    \
      }                                                                         \
  }                                                                             \
  G_GNUC_UNUSED static ret name##_upto_avx2 params                              \
  {                                                                             \
    if (_evs_simd_level () >= EVS_SIMD_AVX2)                                    \
      return name##_avx2 (__VA_ARGS__);                                         \
    return name##_generic (__VA_ARGS__);                                        \
  }
#else
#define EVS_DEFINE_DISPATCH(ret, name, params, ...)                             \
  static ret name params { return name##_body (__VA_ARGS__, FALSE); }
#define EVS_DEFINE_DISPATCH3(ret, name, params, ...)                            \
  static ret name params { return name##_body (__VA_ARGS__, EVS_SIMD_NONE); }   \
  G_GNUC_UNUSED static ret name##_upto_avx2 params                              \
  { return name##_body (__VA_ARGS__, EVS_SIMD_NONE); }
#endif

/* Prophesee RAW (FORMATS.md §1): a “% key value” header, then the camera's
 * little-endian word stream in EVT 2.0 (32-bit words), EVT 2.1 (64-bit
 * words with 32-pixel masks, in two byte orders) or EVT 3.0 (16-bit stateful
 * words).  The decoders follow the OpenEB HAL semantics: everything before
 * the first TIME_HIGH is dropped, time loops are unwrapped, EVT 3.0 vector
 * words are decoded one by one (the documented semantics).
 *
 * decode() works straight on the file source's buffer with the decoder state
 * in locals, and only ever stops between words, so tell()/restore() need the
 * byte offset plus the packed decoder state, nothing else. */

#define EVS_TYPE_RAW_READER (evs_raw_reader_get_type ())
G_DECLARE_FINAL_TYPE (EvsRawReader, evs_raw_reader, EVS, RAW_READER, EvsReader)

/* Refill the buffer when fewer bytes than this are left, reading about
 * READ_BYTES: the decoders go through ~1.5 GB/s, reads that stay within the
 * L2 cache beat those that fill the whole buffer (+5 % for EVT 3.0) */
#define REFILL_BYTES (32 * 1024)
#define READ_BYTES   (512 * 1024)

/* EVT 2.0 loop threshold (OpenEB LoopThreshold, µs) */
#define EVT2_LOOP_THRESHOLD 10000
#define EVT2_MAX_TS ((G_GINT64_CONSTANT (1) << 34) - 64)
/* Keeps t far from overflowing in hostile files (2^28 loops = 146 000 years) */
#define EVT2_MAX_LOOPS (G_GUINT64_CONSTANT (1) << 28)

/* base_x is bounded so that a hostile stream of vector words cannot wrap it
 * back into the sensor; such events are out of range and dropped. */
#define EVT3_BASE_X_CAP 0x8000

/* Words looked at, at the start of a chunk, to choose between the AVX-512
 * and the AVX2 blocks (see evt3_prefer_avx512 ()) */
#define EVT3_SAMPLE_WORDS 1024

struct _EvsRawReader
{
  EvsReader      parent_instance;
  EvsFileSource *source;
  guint64        payload_offset;
  guint          word_size;
  guint          height;
  gboolean       legacy_order; /* EVT 2.1: high 32-bit half first */
  gint64         time_origin;  /* evscope_time_origin_us, added to every time */

  /* Decoder state (all formats) */
  gboolean       have_th;
  guint64        loops;
  guint32        th;           /* last TIME_HIGH payload */
  /* EVT 3.0 only */
  guint32        tl;
  guint32        y;
  gboolean       row_valid;
  guint32        base_x;
  guint32        vpol;
  gboolean       avx512_blocks; /* see evt3_prefer_avx512 () */
};

G_DEFINE_FINAL_TYPE (EvsRawReader, evs_raw_reader, EVS_TYPE_READER)

static inline guint16
load_u16_le (const guint8 *p)
{
  guint16 v;

  memcpy (&v, p, sizeof v);
  return GUINT16_FROM_LE (v);
}

static inline guint64
load_u64_le (const guint8 *p)
{
  guint64 v;

  memcpy (&v, p, sizeof v);
  return GUINT64_FROM_LE (v);
}

static inline guint32
load_u32_le (const guint8 *p)
{
  guint32 v;

  memcpy (&v, p, sizeof v);
  return GUINT32_FROM_LE (v);
}

/* Makes at least one whole word available.  Returns FALSE on error; sets
 * *at_end when the file ends on a word boundary. */
static gboolean
refill (EvsRawReader  *self,
        gboolean      *at_end,
        GError       **error)
{
  gsize avail;

  *at_end = FALSE;
  evs_file_source_peek (self->source, &avail);
  if (avail >= self->word_size)
    return TRUE;

  if (!evs_file_source_fill (self->source, REFILL_BYTES, error))
    return FALSE;
  evs_file_source_peek (self->source, &avail);
  if (avail >= self->word_size)
    return TRUE;

  if (avail > 0)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_TRUNCATED,
                   "“%s” is truncated: it ends inside a %u-byte word at byte %" G_GUINT64_FORMAT
                   " (%" G_GSIZE_FORMAT " bytes left over)",
                   evs_file_source_get_path (self->source), self->word_size,
                   evs_file_source_tell (self->source), avail);
      return FALSE;
    }

  *at_end = TRUE;
  return TRUE;
}

/* Returns the number of whole words available, refilling when the buffer
 * runs low.  0 means the end of the file (or an error, see *ok). */
static gsize
words_available (EvsRawReader  *self,
                 const guint8 **data,
                 gboolean      *ok,
                 GError       **error)
{
  gsize avail;
  gboolean at_end;

  *ok = TRUE;
  *data = evs_file_source_peek (self->source, &avail);
  if (avail >= REFILL_BYTES)
    return avail / self->word_size;

  if (!evs_file_source_fill (self->source, REFILL_BYTES, error))
    {
      *ok = FALSE;
      return 0;
    }
  *data = evs_file_source_peek (self->source, &avail);
  if (avail >= self->word_size)
    return avail / self->word_size;

  if (!refill (self, &at_end, error))
    *ok = FALSE;
  return 0;
}

/* EVT 2.0 ---------------------------------------------------------------- */

static inline gboolean
evt2_is_loop (guint32 prev_th,
              guint32 th)
{
  return th < prev_th
         && ((gint64) (prev_th - th) << 6) >= EVT2_MAX_TS - EVT2_LOOP_THRESHOLD;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/* 16 EVT 2.0 words with AVX2; returns FALSE (and writes nothing) unless all
 * of them are CD words.  Also keeps the running maximum of x (lanes 0–7) and
 * y (lanes 8–15) in @acc_xy and returns the number of backward time steps
 * inside the block in @backwards. */
__attribute__ ((target ("avx2,popcnt"))) static inline gboolean
evt2_block16_avx2 (const guint8 *block,
                   gint64        base,
                   gint64       *ct,
                   guint16      *cx,
                   guint16      *cy,
                   guint8       *cp,
                   guint16      *acc_xy,
                   guint        *backwards)
{
  const __m256i top = _mm256_set1_epi32 ((int) 0xE0000000u);
  const __m256i m11 = _mm256_set1_epi32 (0x7FF);
  const __m256i m6 = _mm256_set1_epi32 (63);
  const __m256i rotate = _mm256_setr_epi32 (7, 0, 1, 2, 3, 4, 5, 6);
  const __m256i vbase = _mm256_set1_epi64x (base);
  __m256i w[2], ts[2], rot[2], prev[2];
  __m256i acc = _mm256_loadu_si256 ((const void *) acc_xy);

  w[0] = _mm256_loadu_si256 ((const void *) block);
  w[1] = _mm256_loadu_si256 ((const void *) (block + 32));
  if (!_mm256_testz_si256 (_mm256_or_si256 (w[0], w[1]), top))
    return FALSE;

  for (guint h = 0; h < 2; h++)
    {
      __m256i x = _mm256_and_si256 (_mm256_srli_epi32 (w[h], 11), m11);
      __m256i y = _mm256_and_si256 (w[h], m11);
      __m256i p = _mm256_srli_epi32 (w[h], 28);
      __m256i xy = _mm256_permute4x64_epi64 (_mm256_packus_epi32 (x, y), 0xD8);
      __m256i pp = _mm256_packus_epi16 (_mm256_packus_epi32 (p, p), _mm256_setzero_si256 ());
      guint32 p_lo = (guint32) _mm256_extract_epi32 (pp, 0);
      guint32 p_hi = (guint32) _mm256_extract_epi32 (pp, 4);

      ts[h] = _mm256_and_si256 (_mm256_srli_epi32 (w[h], 22), m6);
      rot[h] = _mm256_permutevar8x32_epi32 (ts[h], rotate);
      acc = _mm256_max_epu16 (acc, xy);

      _mm256_storeu_si256 ((void *) (ct + 8 * h),
                           _mm256_add_epi64 (vbase, _mm256_cvtepu32_epi64 (_mm256_castsi256_si128 (ts[h]))));
      _mm256_storeu_si256 ((void *) (ct + 8 * h + 4),
                           _mm256_add_epi64 (vbase, _mm256_cvtepu32_epi64 (_mm256_extracti128_si256 (ts[h], 1))));
      _mm_storeu_si128 ((void *) (cx + 8 * h), _mm256_castsi256_si128 (xy));
      _mm_storeu_si128 ((void *) (cy + 8 * h), _mm256_extracti128_si256 (xy, 1));
      memcpy (cp + 8 * h, &p_lo, 4);
      memcpy (cp + 8 * h + 4, &p_hi, 4);
    }

  /* Each event's predecessor: within the block all share the base, so the
   * 6-bit parts compare; the first event is the caller's business. */
  prev[0] = _mm256_blend_epi32 (rot[0], ts[0], 0x01);
  prev[1] = _mm256_blend_epi32 (rot[1], rot[0], 0x01);
  *backwards = (guint) __builtin_popcount (
                 (guint) _mm256_movemask_ps (_mm256_castsi256_ps (_mm256_cmpgt_epi32 (prev[0], ts[0]))))
               + (guint) __builtin_popcount (
                 (guint) _mm256_movemask_ps (_mm256_castsi256_ps (_mm256_cmpgt_epi32 (prev[1], ts[1]))));
  _mm256_storeu_si256 ((void *) acc_xy, acc);

  return TRUE;
}
#define HAVE_EVT2_BLOCK16_AVX2 1
#endif

typedef struct
{
  guint32 th;
  guint64 loops;
  guint64 triggers;
  guint64 other;
  guint64 unknown;
  /* Facts about the chunk for the validation pass */
  gint64  prev_t;
  guint64 backwards;
  guint16 max_x;
  guint16 max_y;
  guint16 acc_xy[16];
} Evt2State;

/* Decodes @n words into slots k… (the caller guarantees n free slots) */
static inline __attribute__ ((always_inline)) gsize
evt2_decode_words_body (Evt2State        *s,
                        const guint8     *data,
                        gsize             n,
                        gint64 *restrict  ct,
                        guint16 *restrict cx,
                        guint16 *restrict cy,
                        guint8 *restrict  cp,
                        gsize             k,
                        gboolean          avx2)
{
  guint32 th = s->th;
  guint64 loops = s->loops;
  gint64 base = (gint64) (loops << 34) + ((gint64) th << 6);
  gint64 prev_t = s->prev_t;
  guint64 backwards = s->backwards;
  guint16 max_x = s->max_x, max_y = s->max_y;

  for (gsize i = 0; i < n; i++)
    {
      guint32 w;
      guint type;

      /* Fast path: 16 CD words in a row (types 0 and 1 have the top three
       * bits clear); a straight loop the compiler vectorises. */
#ifdef HAVE_EVT2_BLOCK16_AVX2
      if (avx2 && i + 16 <= n)
        {
          guint block_backwards;

          if (G_LIKELY (evt2_block16_avx2 (data + 4 * i, base, ct + k, cx + k, cy + k, cp + k,
                                           s->acc_xy, &block_backwards)))
            {
              backwards += block_backwards + (ct[k] < prev_t);
              prev_t = ct[k + 15];
              k += 16;
              i += 15;
              continue;
            }
        }
      else
#endif
      if (i + 16 <= n)
        {
          const guint8 *block = data + 4 * i;
          guint32 acc = 0;

          for (guint j = 0; j < 16; j++)
            acc |= load_u32_le (block + 4 * j);
          if (G_LIKELY ((acc & 0xE0000000u) == 0))
            {
              for (guint j = 0; j < 16; j++)
                {
                  guint32 v = load_u32_le (block + 4 * j);
                  gint64 t = base + ((v >> 22) & 63);

                  ct[k + j] = t;
                  cx[k + j] = (v >> 11) & 0x7FF;
                  cy[k + j] = v & 0x7FF;
                  cp[k + j] = (v >> 28) & 1;
                  backwards += t < prev_t;
                  prev_t = t;
                  max_x = MAX (max_x, cx[k + j]);
                  max_y = MAX (max_y, cy[k + j]);
                }
              k += 16;
              i += 15;
              continue;
            }
        }

      w = load_u32_le (data + 4 * i);
      type = w >> 28;

      /* Written unconditionally: the slot is only kept for CD words */
      ct[k] = base + ((w >> 22) & 63);
      cx[k] = (w >> 11) & 0x7FF;
      cy[k] = w & 0x7FF;
      cp[k] = type & 1;
      if (G_LIKELY (type <= 1))
        {
          backwards += ct[k] < prev_t;
          prev_t = ct[k];
          max_x = MAX (max_x, cx[k]);
          max_y = MAX (max_y, cy[k]);
          k++;
          continue;
        }

      switch (type)
        {
        case 0x8:
          {
            guint32 new_th = w & 0x0FFFFFFF;

            if (G_UNLIKELY (evt2_is_loop (th, new_th)))
              loops = MIN (loops + 1, EVT2_MAX_LOOPS);
            th = new_th;
            base = (gint64) (loops << 34) + ((gint64) th << 6);
          }
          break;

        case 0xA:
          s->triggers++;
          break;

        case 0xD:
        case 0xE:
        case 0xF:
          s->other++;
          break;

        default:
          s->unknown++;
          break;
        }
    }

  s->th = th;
  s->loops = loops;
  s->prev_t = prev_t;
  s->backwards = backwards;
  s->max_x = max_x;
  s->max_y = max_y;
  return k;
}

EVS_DEFINE_DISPATCH (gsize, evt2_decode_words,
                     (Evt2State *s, const guint8 *data, gsize n, gint64 *restrict ct,
                      guint16 *restrict cx, guint16 *restrict cy, guint8 *restrict cp, gsize k),
                     s, data, n, ct, cx, cy, cp, k)

/* Hands the counters and the chunk facts gathered in @st over */
static void
evt2_finish (EvsRawReader *self,
             Evt2State    *st)
{
  EvsReaderStats *stats = _evs_reader_get_stats_mut (EVS_READER (self));
  guint16 max_x = st->max_x, max_y = st->max_y;

  for (guint j = 0; j < 8; j++)
    {
      max_x = MAX (max_x, st->acc_xy[j]);
      max_y = MAX (max_y, st->acc_xy[8 + j]);
    }
  stats->triggers += st->triggers;
  stats->other += st->other;
  stats->unknown_words += st->unknown;
  _evs_reader_set_chunk_facts (EVS_READER (self), max_x, max_y, st->backwards);
}

static gboolean
evs_raw_reader_decode_evt2 (EvsRawReader   *self,
                            EvsEventChunk  *chunk,
                            GError        **error)
{
  EvsReaderStats *stats = _evs_reader_get_stats_mut (EVS_READER (self));
  gint64 *restrict ct = chunk->t;
  guint16 *restrict cx = chunk->x;
  guint16 *restrict cy = chunk->y;
  guint8 *restrict cp = chunk->p;
  const gsize cap = chunk->capacity;
  gsize k = chunk->n_events;
  Evt2State st = { 0 };

  /* The facts cover this call's events only */
  g_assert (k == 0);
  st.prev_t = G_MININT64;

  while (k < cap)
    {
      const guint8 *data;
      gboolean ok;
      gsize n_words = words_available (self, &data, &ok, error);
      gsize i = 0;

      if (n_words == 0)
        {
          chunk->n_events = k;
          evt2_finish (self, &st);
          /* Deliver what was decoded before a trailing partial word first */
          return ok || k > 0 ? (g_clear_error (error), TRUE) : FALSE;
        }

      if (G_UNLIKELY (!self->have_th))
        {
          for (; i < n_words; i++)
            {
              guint32 w = load_u32_le (data + 4 * i);
              guint type = w >> 28;

              if (type == 0x8)
                {
                  self->have_th = TRUE;
                  self->th = w & 0x0FFFFFFF;
                  i++;
                  break;
                }
              if (type <= 1)
                stats->before_time_base++;
            }
        }

      if (self->have_th)
        {
          gsize n = MIN (n_words - i, cap - k);

          st.th = self->th;
          st.loops = self->loops;
          k = evt2_decode_words (&st, data + 4 * i, n, ct, cx, cy, cp, k);
          i += n;
          self->th = st.th;
          self->loops = st.loops;
        }

      evs_file_source_consume (self->source, 4 * i);
    }

  chunk->n_events = k;
  evt2_finish (self, &st);
  return TRUE;
}

/* EVT 2.1 ---------------------------------------------------------------- */

static gboolean
evs_raw_reader_decode_evt21 (EvsRawReader   *self,
                             EvsEventChunk  *chunk,
                             GError        **error)
{
  EvsReaderStats *stats = _evs_reader_get_stats_mut (EVS_READER (self));
  gint64 *restrict ct = chunk->t;
  guint16 *restrict cx = chunk->x;
  guint16 *restrict cy = chunk->y;
  guint8 *restrict cp = chunk->p;
  const gsize cap = chunk->capacity;
  const guint hi_at = self->legacy_order ? 0 : 4;
  const guint lo_at = self->legacy_order ? 4 : 0;
  gsize k = chunk->n_events;

  while (k + 32 <= cap)
    {
      const guint8 *data;
      gboolean ok;
      gsize n_words = words_available (self, &data, &ok, error);
      gsize i = 0;

      if (n_words == 0)
        {
          chunk->n_events = k;
          return ok || k > 0 ? (g_clear_error (error), TRUE) : FALSE;
        }

      if (G_UNLIKELY (!self->have_th))
        {
          for (; i < n_words; i++)
            {
              guint32 hi = load_u32_le (data + 8 * i + hi_at);
              guint type = hi >> 28;

              if (type == 0x8)
                {
                  self->have_th = TRUE;
                  self->th = hi & 0x0FFFFFFF;
                  i++;
                  break;
                }
              if (type <= 1)
                stats->before_time_base += (guint) __builtin_popcount (load_u32_le (data + 8 * i + lo_at));
            }
        }

      if (self->have_th)
        {
          guint32 th = self->th;
          guint64 loops = self->loops;
          gint64 base = (gint64) (loops << 34) + ((gint64) th << 6);

          for (; i < n_words && k + 32 <= cap; i++)
            {
              guint32 hi = load_u32_le (data + 8 * i + hi_at);
              guint type = hi >> 28;

              if (G_LIKELY (type <= 1))
                {
                  guint32 mask = load_u32_le (data + 8 * i + lo_at);
                  gint64 t = base + ((hi >> 22) & 63);
                  guint x = (hi >> 11) & 0x7FF;
                  guint16 y = hi & 0x7FF;

                  while (mask != 0)
                    {
                      guint b = (guint) __builtin_ctz (mask);

                      ct[k] = t;
                      cx[k] = (guint16) (x + b);
                      cy[k] = y;
                      cp[k] = (guint8) type;
                      k++;
                      mask &= mask - 1;
                    }
                  continue;
                }

              switch (type)
                {
                case 0x8:
                  {
                    guint32 new_th = hi & 0x0FFFFFFF;

                    /* OpenEB: a strict wrap only */
                    if (G_UNLIKELY (new_th < th
                                    && ((gint64) (th - new_th) << 6) >= EVT2_MAX_TS))
                      loops = MIN (loops + 1, EVT2_MAX_LOOPS);
                    th = new_th;
                    base = (gint64) (loops << 34) + ((gint64) th << 6);
                  }
                  break;

                case 0xA:
                  stats->triggers++;
                  break;

                case 0xE:
                case 0xF:
                  stats->other++;
                  break;

                default:
                  stats->unknown_words++;
                  break;
                }
            }
          self->th = th;
          self->loops = loops;
        }

      evs_file_source_consume (self->source, 8 * i);
    }

  chunk->n_events = k;
  return TRUE;
}

/* EVT 3.0 ---------------------------------------------------------------- */

typedef struct
{
  gint64  thb;       /* loops << 24 | th << 12 */
  gint64  t;         /* thb + tl */
  guint32 y;
  guint32 row_valid; /* 0 or 1 */
  guint32 base_x;
  guint32 vpol;
  guint32 height;
  guint64 triggers;
  guint64 other;
  guint64 unknown;
} Evt3State;

#if defined(__x86_64__) && defined(__GNUC__)
/* For each lane, (position + 1) << 12 | @c of the last lane at or before
 * it whose @flag is set (positions 0–7 in each 128-bit half), or 0 when
 * there is none.  A prefix maximum: the keys grow with the position. */
__attribute__ ((target ("avx2,popcnt"))) static inline __m256i
evt3_last_set (__m256i c,
               __m256i flag)
{
  const __m256i pos = _mm256_setr_epi16 (1 << 12, 2 << 12, 3 << 12, 4 << 12, 5 << 12, 6 << 12,
                                         7 << 12, (short) (8 << 12),
                                         1 << 12, 2 << 12, 3 << 12, 4 << 12, 5 << 12, 6 << 12,
                                         7 << 12, (short) (8 << 12));
  __m256i key = _mm256_and_si256 (flag, _mm256_or_si256 (c, pos));
  __m256i low7;

  /* within each half */
  key = _mm256_max_epu16 (key, _mm256_slli_si256 (key, 2));
  key = _mm256_max_epu16 (key, _mm256_slli_si256 (key, 4));
  key = _mm256_max_epu16 (key, _mm256_slli_si256 (key, 8));
  /* the last lane of the low half fills the empty lanes of the high half */
  low7 = _mm256_srli_epi32 (_mm256_permutevar8x32_epi32 (key, _mm256_set1_epi32 (3)), 16);
  low7 = _mm256_blend_epi32 (_mm256_setzero_si256 (),
                             _mm256_or_si256 (low7, _mm256_slli_epi32 (low7, 16)), 0xF0);
  return _mm256_blendv_epi8 (key, low7, _mm256_cmpeq_epi16 (key, _mm256_setzero_si256 ()));
}

/* For each 8-bit mask of 16-bit lanes, the byte shuffle that packs the
 * lanes set to the front (filled once, by evt3_compress_init) */
static guint8 evt3_compress[256][16] __attribute__ ((aligned (16)));

static void
evt3_compress_init (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      for (guint m = 0; m < 256; m++)
        {
          guint j = 0;

          memset (evt3_compress[m], 0, 16);
          for (guint lane = 0; lane < 8; lane++)
            if ((m >> lane) & 1)
              {
                evt3_compress[m][2 * j] = (guint8) (2 * lane);
                evt3_compress[m][2 * j + 1] = (guint8) (2 * lane + 1);
                j++;
              }
        }
      g_once_init_leave (&done, 1);
    }
}

/* Shorter runs of ADDR_Y, ADDR_X and TIME_LOW are left to the scalar loop
 * (streams of vectors written one by one, as by our writer, have many) */
#define EVT3_MIN_BLOCK 4

/* ADDR_Y payloads (12 bits) as y | valid << 15; OpenEB compares all 12 bits
 * with the height */
__attribute__ ((target ("avx2,popcnt"))) static inline __m256i
evt3_decode_y (__m256i c,
               __m256i vheight)
{
  return _mm256_or_si256 (_mm256_and_si256 (c, _mm256_set1_epi16 (0x7FF)),
                          _mm256_slli_epi16 (_mm256_cmpgt_epi16 (vheight, c), 15));
}

/* Decodes the leading ADDR_Y, ADDR_X and TIME_LOW words of the 16 words at
 * @block with AVX2: the row and the time of each word are the last ones set
 * before it (a prefix scan), the events are packed with byte shuffles.
 * Returns the number of words decoded: 16 unless another type comes, 0
 * when fewer than EVT3_MIN_BLOCK. */
__attribute__ ((target ("avx2,popcnt"))) static inline guint
evt3_block16_avx2 (const guint8      *block,
                   gint64             thb,
                   guint32            height,
                   gint64            *t,
                   guint32           *y,
                   guint32           *row_valid,
                   gint64 *restrict   ct,
                   guint16 *restrict  cx,
                   guint16 *restrict  cy,
                   guint8 *restrict   cp,
                   gsize             *k_inout)
{
  const __m256i w = _mm256_loadu_si256 ((const void *) block);
  const __m256i type = _mm256_srli_epi16 (w, 12);
  const __m256i is_y = _mm256_cmpeq_epi16 (type, _mm256_setzero_si256 ());
  const __m256i is_x = _mm256_cmpeq_epi16 (type, _mm256_set1_epi16 (2));
  const __m256i is_tl = _mm256_cmpeq_epi16 (type, _mm256_set1_epi16 (6));
  const guint32 fast = (guint32) _mm256_movemask_epi8 (_mm256_or_si256 (_mm256_or_si256 (is_y, is_x), is_tl));
  const guint f = (guint) __builtin_ctzll (~(guint64) fast) / 2;   /* 0 to 16 */
  const __m256i c = _mm256_and_si256 (w, _mm256_set1_epi16 (0xFFF));
  const __m256i m11 = _mm256_set1_epi16 (0x7FF);
  const __m256i vheight = _mm256_set1_epi16 ((short) MIN (height, 4096));
  const gint64 tl_in = *t - thb;
  __m256i ys, tls, keep;
  guint32 kmask;
  gsize k = *k_inout;
  guint16 ys_out[16];
  guint16 tls_out[16];

  if (f < EVT3_MIN_BLOCK)
    return 0;

  ys = evt3_last_set (c, is_y);
  tls = evt3_last_set (c, is_tl);
  /* none before in the block: the state carried in */
  ys = _mm256_blendv_epi8 (evt3_decode_y (_mm256_and_si256 (ys, _mm256_set1_epi16 (0xFFF)), vheight),
                           _mm256_set1_epi16 ((short) (*y | *row_valid << 15)),
                           _mm256_cmpeq_epi16 (ys, _mm256_setzero_si256 ()));
  tls = _mm256_blendv_epi8 (_mm256_and_si256 (tls, _mm256_set1_epi16 (0xFFF)),
                            _mm256_set1_epi16 ((short) tl_in),
                            _mm256_cmpeq_epi16 (tls, _mm256_setzero_si256 ()));
  keep = _mm256_and_si256 (is_x, _mm256_srai_epi16 (ys, 15));
  kmask = (guint32) _mm256_movemask_epi8 (_mm256_packs_epi16 (keep, _mm256_setzero_si256 ()));
  /* bytes 0-7: lanes 0-7; bytes 16-23: lanes 8-15 */
  kmask = (kmask & 0xFF) | ((kmask >> 8) & 0xFF00);
  kmask &= (1u << f) - 1;

  {
    const __m256i x = _mm256_and_si256 (c, m11);
    const __m256i yy = _mm256_and_si256 (ys, m11);
    const __m256i p = _mm256_srli_epi16 (c, 11);
    const __m256i vthb = _mm256_set1_epi64x (thb);

    for (guint h = 0; h < 2; h++)
      {
        guint m8 = (kmask >> (8 * h)) & 0xFF;
        __m128i ctrl = _mm_load_si128 ((const void *) evt3_compress[m8]);
        __m128i xh = h == 0 ? _mm256_castsi256_si128 (x) : _mm256_extracti128_si256 (x, 1);
        __m128i yh = h == 0 ? _mm256_castsi256_si128 (yy) : _mm256_extracti128_si256 (yy, 1);
        __m128i ph = h == 0 ? _mm256_castsi256_si128 (p) : _mm256_extracti128_si256 (p, 1);
        __m128i th = h == 0 ? _mm256_castsi256_si128 (tls) : _mm256_extracti128_si256 (tls, 1);

        th = _mm_shuffle_epi8 (th, ctrl);
        _mm_storeu_si128 ((void *) (cx + k), _mm_shuffle_epi8 (xh, ctrl));
        _mm_storeu_si128 ((void *) (cy + k), _mm_shuffle_epi8 (yh, ctrl));
        _mm_storel_epi64 ((void *) (cp + k),
                          _mm_packus_epi16 (_mm_shuffle_epi8 (ph, ctrl), _mm_setzero_si128 ()));
        _mm256_storeu_si256 ((void *) (ct + k), _mm256_add_epi64 (vthb, _mm256_cvtepu16_epi64 (th)));
        _mm256_storeu_si256 ((void *) (ct + k + 4),
                             _mm256_add_epi64 (vthb, _mm256_cvtepu16_epi64 (_mm_srli_si128 (th, 8))));
        k += (gsize) __builtin_popcount (m8);
      }
  }

  _mm256_storeu_si256 ((void *) ys_out, ys);
  _mm256_storeu_si256 ((void *) tls_out, tls);
  *y = ys_out[f - 1] & 0x7FF;
  *row_valid = ys_out[f - 1] >> 15;
  *t = thb + tls_out[f - 1];
  *k_inout = k;
  return f;
}
#define HAVE_EVT3_BLOCK16_AVX2 1

/* For each of the 32 lanes, the largest value of @v at or before it: the
 * last position set, when @v holds position + 1 at the set lanes (both
 * bytes of a lane scan at once, for two kinds of words) */
__attribute__ ((target (EVS_TARGET_AVX512))) static inline __m512i
evt3_prefix_max32 (__m512i v)
{
  const __m512i lane = _mm512_set_epi16 (31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20,
                                         19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8,
                                         7, 6, 5, 4, 3, 2, 1, 0);

  for (guint s = 1; s < 32; s *= 2)
    v = _mm512_max_epu8 (v, _mm512_maskz_permutexvar_epi16 (~0u << s,
                                                            _mm512_sub_epi16 (lane, _mm512_set1_epi16 ((short) s)),
                                                            v));
  return v;
}

/* _mm512_castsi512_si128 (), which GCC 12 writes as an extraction from an
 * undefined vector (a false -Wmaybe-uninitialized) */
__attribute__ ((target (EVS_TARGET_AVX512))) static inline __m128i
evt3_low128 (__m512i v)
{
  __v2di low = { ((__v8di) v)[0], ((__v8di) v)[1] };

  return (__m128i) low;
}

/* The lanes' position + 1, in the low byte of each 16-bit lane */
__attribute__ ((target (EVS_TARGET_AVX512))) static inline __m512i
evt3_lane_numbers32 (void)
{
  return _mm512_set_epi16 (32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17,
                           16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1);
}

/* Lane @i of @v */
__attribute__ ((target (EVS_TARGET_AVX512))) static inline guint32
evt3_lane32 (__m512i v,
             guint   i)
{
  return (guint16) _mm_cvtsi128_si32 (evt3_low128 (
                                        _mm512_permutexvar_epi16 (_mm512_set1_epi16 ((short) i), v)));
}

/* Whether the 32 words at @block are all ADDR_Y, ADDR_X, VECT_BASE_X,
 * VECT_12, VECT_8 or TIME_LOW, checked without 512-bit instructions: used
 * now and then among 256-bit code, these are slow to start (the decoding of
 * streams where whole blocks are rare would pay for it) */
__attribute__ ((target ("avx2,popcnt"))) static inline gboolean
evt3_fast32_avx2 (const guint8 *block)
{
  const __m256i a = _mm256_srli_epi16 (_mm256_loadu_si256 ((const void *) block), 12);
  const __m256i b = _mm256_srli_epi16 (_mm256_loadu_si256 ((const void *) (block + 32)), 12);
  /* types 0 and 2 to 6 */
  const __m256i table = _mm256_setr_epi8 (1, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                          1, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  const __m256i fast = _mm256_and_si256 (_mm256_shuffle_epi8 (table, a), _mm256_shuffle_epi8 (table, b));

  /* the high byte of each lane looks up entry 0 (1): only low bytes tell */
  return (guint32) _mm256_movemask_epi8 (_mm256_cmpeq_epi8 (fast, _mm256_setzero_si256 ())) == 0;
}

/* Inclusive prefix sum of the 32 word lanes of @v */
__attribute__ ((target (EVS_TARGET_AVX512))) static inline __m512i
evt3_prefix_sum32 (__m512i v)
{
  const __m512i lane = _mm512_sub_epi16 (evt3_lane_numbers32 (), _mm512_set1_epi16 (1));

  for (guint s = 1; s < 32; s *= 2)
    v = _mm512_add_epi16 (v, _mm512_maskz_permutexvar_epi16 (~0u << s,
                                                             _mm512_sub_epi16 (lane, _mm512_set1_epi16 ((short) s)),
                                                             v));
  return v;
}

/* base_x before each word (vector words: the column of their bit 0) and
 * the polarity of the last VECT_BASE_X: with b the last VECT_BASE_X before
 * word j and S the exclusive prefix sum of the vector widths, value (b)
 * + S (j) − S (b).  Stored as value − S + 0x1000, which stays positive
 * (S ≤ 384); the caller keeps base_x ≤ EVT3_BASE_X_CAP − 0x1000 so that
 * the cap is never reached.  Also returns the widths in @inc. */
__attribute__ ((target (EVS_TARGET_AVX512))) static inline __m512i
evt3_vector_base32 (__m512i    c,
                    __mmask32  is_b,
                    __mmask32  is_v12,
                    __mmask32  is_v8,
                    __m512i    carry_base,
                    __m512i    carry_vpol,
                    __m512i   *vpol,
                    __m512i   *inc)
{
  const __m512i one = _mm512_set1_epi16 (1);
  const __m512i bias = _mm512_set1_epi16 (0x1000);
  __m512i sum, lastb, ks;

  *inc = _mm512_or_si512 (_mm512_maskz_mov_epi16 (is_v12, _mm512_set1_epi16 (12)),
                          _mm512_maskz_mov_epi16 (is_v8, _mm512_set1_epi16 (8)));
  sum = _mm512_sub_epi16 (evt3_prefix_sum32 (*inc), *inc);
  lastb = _mm512_sub_epi16 (evt3_prefix_max32 (_mm512_maskz_mov_epi16 (is_b, evt3_lane_numbers32 ())), one);
  ks = _mm512_permutex2var_epi16 (_mm512_sub_epi16 (_mm512_add_epi16 (_mm512_and_si512 (c, _mm512_set1_epi16 (0x7FF)),
                                                                      bias),
                                                    sum),
                                  lastb, _mm512_add_epi16 (carry_base, bias));
  *vpol = _mm512_permutex2var_epi16 (_mm512_srli_epi16 (c, 11), lastb, carry_vpol);
  return _mm512_sub_epi16 (_mm512_add_epi16 (ks, sum), bias);
}

/* Writes the (up to 32) events whose x, y, p and time − thb are in the
 * 16-bit lanes @x, @y, @p and @tl: all 32 slots */
__attribute__ ((target (EVS_TARGET_AVX512))) static inline void
evt3_store32 (__m512i            x,
              __m512i            y,
              __m512i            p,
              __m512i            tl,
              __m512i            vthb,
              gint64 *restrict   ct,
              guint16 *restrict  cx,
              guint16 *restrict  cy,
              guint8 *restrict   cp)
{
  _mm512_storeu_si512 ((void *) cx, x);
  _mm512_storeu_si512 ((void *) cy, y);
  _mm256_storeu_si256 ((void *) cp, _mm512_maskz_cvtepi16_epi8 (~0u, p));
  _mm512_storeu_si512 ((void *) ct, _mm512_add_epi64 (vthb, _mm512_maskz_cvtepu16_epi64 (0xFF, evt3_low128 (tl))));
  /* all four, even when fewer events: a varying count would mispredict */
  for (guint g = 1; g < 4; g++)
    _mm512_storeu_si512 ((void *) (ct + 8 * g),
                         _mm512_add_epi64 (vthb, _mm512_maskz_cvtepu16_epi64 (0xFF, evt3_low128 (_mm512_permutexvar_epi16 (_mm512_add_epi16 (evt3_lane_numbers32 (), _mm512_set1_epi16 ((short) (8 * g - 1))), tl)))));
}

/* evt3_block16_avx2 () for 32 words at a time with AVX-512, over the
 * blocks of the @n words at @data, until a block holds another type than
 * ADDR_Y, ADDR_X, VECT_BASE_X, VECT_12, VECT_8 and TIME_LOW (its leading
 * words are decoded when there are at least EVT3_MIN_BLOCK).  The last
 * ADDR_Y and TIME_LOW before each word come from one prefix maximum of
 * positions (a byte each) and a two-source word permutation (position 0,
 * "none in the block", picks the state carried in); vpcompressw packs the
 * ADDR_X events, with no table.  Vector words do not stop a block (in
 * scattered data they would cut the runs short): their base_x comes from
 * evt3_vector_base32 (), and their events are written between the packed
 * ADDR_X events around them.  The state carried from block to block stays
 * in vectors (broadcast), so a block does not wait for the previous one's
 * to go through general registers.  Returns the number of words decoded
 * and the state after them. */
typedef struct
{
  gsize   words;
  gsize   k;
  gint64  t;
  guint32 y;
  guint32 row_valid;
  guint32 base_x;
  guint32 vpol;
} Evt3Blocks;

__attribute__ ((target (EVS_TARGET_AVX512))) static Evt3Blocks
evt3_blocks32_avx512 (const guint8      *data,
                      gsize              n,
                      gint64             thb,
                      guint32            height,
                      gint64             t,
                      guint32            y,
                      guint32            row_valid,
                      guint32            base_x,
                      guint32            vpol,
                      gint64 *restrict   ct,
                      guint16 *restrict  cx,
                      guint16 *restrict  cy,
                      guint8 *restrict   cp,
                      gsize              k)
{
  const __m512i m11 = _mm512_set1_epi16 (0x7FF);
  const __m512i one = _mm512_set1_epi16 (1);
  const __m512i lanes = evt3_lane_numbers32 ();
  const __m512i vheight = _mm512_set1_epi16 ((short) MIN (height, 4096));
  const __m512i vthb = _mm512_set1_epi64 (thb);
  __m512i carry_y = _mm512_set1_epi16 ((short) (y | row_valid << 15));
  __m512i carry_tl = _mm512_set1_epi16 ((short) (t - thb));
  __m512i carry_base = _mm512_set1_epi16 ((short) base_x);
  __m512i carry_vpol = _mm512_set1_epi16 ((short) vpol);
  Evt3Blocks out;
  gsize i;

  for (i = 0; i + 32 <= n; )
    {
      const __m512i w = _mm512_loadu_si512 ((const void *) (data + 2 * i));
      const __m512i type = _mm512_srli_epi16 (w, 12);
      const __mmask32 is_y = _mm512_cmpeq_epi16_mask (type, _mm512_setzero_si512 ());
      const __mmask32 is_x = _mm512_cmpeq_epi16_mask (type, _mm512_set1_epi16 (2));
      const __mmask32 is_b = _mm512_cmpeq_epi16_mask (type, _mm512_set1_epi16 (3));
      const __mmask32 is_v12 = _mm512_cmpeq_epi16_mask (type, _mm512_set1_epi16 (4));
      const __mmask32 is_v8 = _mm512_cmpeq_epi16_mask (type, _mm512_set1_epi16 (5));
      const __mmask32 is_tl = _mm512_cmpeq_epi16_mask (type, _mm512_set1_epi16 (6));
      const guint f = (guint) __builtin_ctzll (~(guint64) (guint32) (is_y | is_x | is_b | is_v12
                                                                      | is_v8 | is_tl));
      const guint32 fm = (guint32) ((G_GUINT64_CONSTANT (1) << f) - 1);
      const guint32 vectors = (is_b | is_v12 | is_v8) & fm;
      const __m512i c = _mm512_and_si512 (w, _mm512_set1_epi16 (0xFFF));
      const __m512i f1 = _mm512_set1_epi16 ((short) (f - 1));
      __m512i last, ys, tls, yvals;
      __mmask32 keep;
      guint m;

      /* the end of the run: its leading words, if enough */
      if (f < EVT3_MIN_BLOCK)
        break;
      /* Vector words write up to 16 slots at a time: the caller's 12 per
       * word must cover two words more than the block (and base_x must
       * stay far from its cap, see evt3_vector_base32 ()) */
      if (vectors != 0
          && (i + 34 > n
              || _mm512_cmpgt_epu16_mask (carry_base, _mm512_set1_epi16 (EVT3_BASE_X_CAP - 0x1000)) != 0))
        break;

      /* low byte: last ADDR_Y + 1, high byte: last TIME_LOW + 1 (0: none) */
      last = evt3_prefix_max32 (_mm512_or_si512 (_mm512_maskz_mov_epi16 (is_y, lanes),
                                                 _mm512_slli_epi16 (_mm512_maskz_mov_epi16 (is_tl, lanes), 8)));
      /* OpenEB compares all 12 bits of ADDR_Y with the height */
      yvals = _mm512_or_si512 (_mm512_and_si512 (c, m11),
                               _mm512_maskz_mov_epi16 (_mm512_cmplt_epu16_mask (c, vheight),
                                                       _mm512_set1_epi16 ((short) 0x8000)));
      /* index − 1 wraps to 63 for "none": a lane of the carried state */
      ys = _mm512_permutex2var_epi16 (yvals,
                                      _mm512_sub_epi16 (_mm512_and_si512 (last, _mm512_set1_epi16 (0xFF)), one),
                                      carry_y);
      tls = _mm512_permutex2var_epi16 (c, _mm512_sub_epi16 (_mm512_srli_epi16 (last, 8), one),
                                       carry_tl);
      keep = is_x & _mm512_movepi16_mask (ys) & fm;
      m = (guint) __builtin_popcount (keep);

      if (vectors == 0)
        {
          evt3_store32 (_mm512_maskz_compress_epi16 (keep, _mm512_and_si512 (c, m11)),
                        _mm512_maskz_compress_epi16 (keep, _mm512_and_si512 (ys, m11)),
                        _mm512_maskz_compress_epi16 (keep, _mm512_srli_epi16 (c, 11)),
                        _mm512_maskz_compress_epi16 (keep, tls),
                        vthb, ct + k, cx + k, cy + k, cp + k);
          k += m;
        }
      else
        {
          __m512i inc, vps;
          const __m512i base = evt3_vector_base32 (c, is_b, is_v12, is_v8, carry_base, carry_vpol,
                                                   &vps, &inc);
          const __m512i xs = _mm512_maskz_compress_epi16 (keep, _mm512_and_si512 (c, m11));
          const __m512i yc = _mm512_maskz_compress_epi16 (keep, _mm512_and_si512 (ys, m11));
          const __m512i pc = _mm512_maskz_compress_epi16 (keep, _mm512_srli_epi16 (c, 11));
          const __m512i tc = _mm512_maskz_compress_epi16 (keep, tls);
          guint16 lys[32], ltl[32], lbase[32], lvp[32], lc[32];
          guint32 vl = (is_v12 | is_v8) & fm & _mm512_movepi16_mask (ys);
          guint32 done = 0; /* ADDR_X events written */
          guint32 seg = 0;

          /* The ADDR_X events are packed once, written piece by piece
           * between the vector words' (moved down by the number already
           * written: in registers, reloading from memory at another offset
           * than stored would stall) */
          _mm512_storeu_si512 ((void *) lys, ys);
          _mm512_storeu_si512 ((void *) ltl, tls);
          _mm512_storeu_si512 ((void *) lbase, base);
          _mm512_storeu_si512 ((void *) lvp, vps);
          _mm512_storeu_si512 ((void *) lc, c);

          for (;;)
            {
              guint v = vl != 0 ? (guint) __builtin_ctz (vl) : f;
              guint cnt = (guint) __builtin_popcount (keep & ((G_GUINT64_CONSTANT (1) << v) - 1) & ~seg);

              if (cnt > 0)
                {
                  const __m512i from = _mm512_add_epi16 (lanes, _mm512_set1_epi16 ((short) done - 1));

                  evt3_store32 (_mm512_permutexvar_epi16 (from, xs), _mm512_permutexvar_epi16 (from, yc),
                                _mm512_permutexvar_epi16 (from, pc), _mm512_permutexvar_epi16 (from, tc),
                                vthb, ct + k, cx + k, cy + k, cp + k);
                  k += cnt;
                  done += cnt;
                }
              if (vl == 0)
                break;

              /* VECT_12 or VECT_8 at lane v, on a valid row */
              {
                const guint32 bits = lc[v] & (is_v8 & (1u << v) ? 0xFF : 0xFFF);
                const __m256i x16 = _mm256_add_epi16 (_mm256_set1_epi16 ((short) lbase[v]),
                                                      _mm256_setr_epi16 (0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
                                                                         10, 11, 12, 13, 14, 15));
                const __m512i tv = _mm512_set1_epi64 (thb + ltl[v]);

                _mm256_storeu_si256 ((void *) (cx + k), _mm256_maskz_compress_epi16 ((__mmask16) bits, x16));
                _mm256_storeu_si256 ((void *) (cy + k), _mm256_set1_epi16 ((short) (lys[v] & 0x7FF)));
                _mm_storeu_si128 ((void *) (cp + k), _mm_set1_epi8 ((char) lvp[v]));
                _mm512_storeu_si512 ((void *) (ct + k), tv);
                _mm512_storeu_si512 ((void *) (ct + k + 8), tv);
                k += (guint) __builtin_popcount (bits);
              }
              seg = (guint32) ((G_GUINT64_CONSTANT (1) << (v + 1)) - 1);
              vl &= vl - 1;
            }

          carry_base = _mm512_permutexvar_epi16 (f1, _mm512_add_epi16 (base, inc));
          carry_vpol = _mm512_permutexvar_epi16 (f1, vps);
        }
      i += f;

      /* the state after the last word, to all lanes */
      carry_y = _mm512_permutexvar_epi16 (f1, ys);
      carry_tl = _mm512_permutexvar_epi16 (f1, tls);
      if (f < 32)
        break;
    }

  {
    guint32 yl = (guint16) _mm_cvtsi128_si32 (evt3_low128 (carry_y));

    out.y = yl & 0x7FF;
    out.row_valid = yl >> 15;
    out.t = thb + (guint16) _mm_cvtsi128_si32 (evt3_low128 (carry_tl));
    out.base_x = (guint16) _mm_cvtsi128_si32 (evt3_low128 (carry_base));
    out.vpol = (guint16) _mm_cvtsi128_si32 (evt3_low128 (carry_vpol));
  }
  out.k = k;
  out.words = i;
  return out;
}
#define HAVE_EVT3_BLOCK32_AVX512 1
#endif

/* Decodes @n words; the caller guarantees 12 free slots per word.
 *
 * In real sensor data ~85 % of the words are EVT_ADDR_Y and EVT_ADDR_X,
 * interleaved at random (runs of ADDR_X average 3 words), so a switch per
 * word mispredicts often.  These two go through a path without branches:
 * the event slot is written unconditionally and kept by advancing k, the
 * row is updated with masks.  The other words (vectors, time) come in short
 * runs handled by a switch.
 *
 * With AVX2, runs of ADDR_Y, ADDR_X and TIME_LOW (~25 words between two
 * vector groups in sensor data) go 16 words at a time through
 * evt3_block16_avx2 first.  With AVX-512 (when evt3_prefer_avx512 () says
 * so), whole blocks of 32 words of these and of vector words go through
 * evt3_blocks32_avx512 before.  The backward time steps (a validation fact)
 * are counted afterwards, in the pass that measures the chunk (evt3_facts).
 */
static inline __attribute__ ((always_inline)) gsize
evt3_decode_words_body (Evt3State         *s,
                        const guint8      *data,
                        gsize              n,
                        gint64 *restrict   ct,
                        guint16 *restrict  cx,
                        guint16 *restrict  cy,
                        guint8 *restrict   cp,
                        gsize              k,
                        guint              simd)
{
  gint64 thb = s->thb;
  gint64 t = s->t;
  guint32 y = s->y;
  guint32 row_valid = s->row_valid;
  guint32 base_x = s->base_x;
  guint32 vpol = s->vpol;
  const guint32 height = s->height;
  gsize i = 0;

  while (i < n)
    {
      guint32 yv;

#ifdef HAVE_EVT3_BLOCK32_AVX512
      /* With AVX-512, blocks of 32 from a whole one on */
      if (simd == EVS_SIMD_AVX512 && i + 32 <= n && evt3_fast32_avx2 (data + 2 * i))
        {
          /* (by value: locals whose address escapes would live in memory
           * in the scalar loops too) */
          Evt3Blocks b = evt3_blocks32_avx512 (data + 2 * i, n - i, thb, height, t, y,
                                               row_valid, base_x, vpol, ct, cx, cy, cp, k);

          i += b.words;
          k = b.k;
          t = b.t;
          y = b.y;
          row_valid = b.row_valid;
          base_x = b.base_x;
          vpol = b.vpol;
        }
#endif
#ifdef HAVE_EVT3_BLOCK16_AVX2
      /* Blocks of 16 words, as far as they hold only ADDR_Y, ADDR_X and
       * TIME_LOW */
      if (simd >= EVS_SIMD_AVX2)
        {
          while (i + 16 <= n)
            {
              guint f = evt3_block16_avx2 (data + 2 * i, thb, height, &t, &y, &row_valid,
                                           ct, cx, cy, cp, &k);

              i += f;
              if (f < 16)
                break;
            }
        }
#endif

      /* EVT_ADDR_Y (0x0) and EVT_ADDR_X (0x2); the row and its validity
       * travel in one register (yv = y | row_valid << 16) */
      yv = y | row_valid << 16;
      for (; i < n; i++)
        {
          guint32 w = load_u16_le (data + 2 * i);
          guint32 c = w & 0xFFF;
          guint32 is_x = w >> 13;        /* 1 for ADDR_X, 0 for ADDR_Y */
          guint32 m_y = is_x - 1;        /* all ones for ADDR_Y */

          if (G_UNLIKELY ((w & 0xD000) != 0))
            break;
          ct[k] = t;
          cx[k] = (guint16) (c & 0x7FF);
          cy[k] = (guint16) yv;
          cp[k] = (guint8) (c >> 11);
          k += is_x & (yv >> 16);
          /* OpenEB compares all 12 bits */
          yv ^= (yv ^ ((c & 0x7FF) | (guint32) (c < height) << 16)) & m_y;
        }
      y = yv & 0xFFFF;
      row_valid = yv >> 16;

      /* Anything else, until the next ADDR_Y or ADDR_X */
      for (; i < n; i++)
        {
          guint32 w = load_u16_le (data + 2 * i);
          guint32 c = w & 0xFFF;

          if ((w & 0xD000) == 0)
            break;

          switch (w >> 12)
            {
            case 0x4: /* VECT_12 */
            case 0x5: /* VECT_8 */
              {
                guint32 mask = (w & 0x1000) ? c & 0xFF : c;
                gsize keep = row_valid;

                for (guint b = 0; b < 12; b++)
                  {
                    ct[k + b] = t;
                    cy[k + b] = (guint16) y;
                    cp[k + b] = (guint8) vpol;
                  }
                for (guint b = 0; b < 12; b++)
                  {
                    cx[k] = (guint16) (base_x + b);
                    k += (mask >> b) & keep;
                  }
                base_x = MIN (base_x + ((w & 0x1000) ? 8 : 12), EVT3_BASE_X_CAP);
              }
              break;

            case 0x3: /* VECT_BASE_X */
              base_x = c & 0x7FF;
              vpol = (c >> 11) & 1;
              /* Sensors write 32 columns at a time as VECT_BASE_X, VECT_12,
               * VECT_12, VECT_8, with few bits set: one go, no slots
               * written for clear bits */
              if (i + 3 < n && (load_u64_le (data + 2 * i) & G_GUINT64_CONSTANT (0xF000F000F000F000))
                               == G_GUINT64_CONSTANT (0x5000400040003000))
                {
                  guint64 group = load_u64_le (data + 2 * i);
                  guint32 mask = ((guint32) (group >> 16) & 0xFFF)
                                 | ((guint32) (group >> 32) & 0xFFF) << 12
                                 | ((guint32) (group >> 48) & 0xFF) << 24;

                  mask &= 0u - row_valid;
                  while (mask != 0)
                    {
                      ct[k] = t;
                      cx[k] = (guint16) (base_x + (guint) __builtin_ctz (mask));
                      cy[k] = (guint16) y;
                      cp[k] = (guint8) vpol;
                      k++;
                      mask &= mask - 1;
                    }
                  base_x += 32;
                  i += 3;
                }
              break;

            case 0x6: /* EVT_TIME_LOW */
              t = thb + c;
              break;

            case 0x8: /* EVT_TIME_HIGH */
              {
                guint32 th = (guint32) (thb >> 12) & 0xFFF;
                gint64 tl = t - thb;

                thb = (thb & ~G_GINT64_CONSTANT (0xFFFFFF)) + ((gint64) c << 12);
                if (th >= 2048 + c)
                  thb += G_GINT64_CONSTANT (1) << 24;
                /* A repeated TIME_HIGH keeps TIME_LOW, a new one resets it */
                t = c == th ? thb + tl : thb;
              }
              break;

            case 0xA: /* EXT_TRIGGER */
              s->triggers++;
              break;

            case 0x1: /* marks the row as non-CD */
              row_valid = 0;
              s->unknown++;
              break;

            case 0x7: /* CONTINUED_4 */
            case 0xD: /* IMU */
            case 0xE: /* OTHERS */
            case 0xF: /* CONTINUED_12 */
              s->other++;
              break;

            default:
              s->unknown++;
              break;
            }
        }
    }

  s->thb = thb;
  s->t = t;
  s->y = y;
  s->row_valid = row_valid;
  s->base_x = base_x;
  s->vpol = vpol;

  return k;
}

#ifdef HAVE_EVT3_BLOCK16_AVX2
/* evt3_facts () over events 1… in steps of 16; returns where it stopped */
__attribute__ ((target ("avx2,popcnt"))) static inline gsize
evt3_facts_block16_avx2 (const gint64 *restrict  ct,
                         const guint16 *restrict cx,
                         const guint16 *restrict cy,
                         gsize                   n,
                         guint16                *max_x,
                         guint16                *max_y,
                         guint64                *backwards)
{
  __m256i mx = _mm256_setzero_si256 ();
  __m256i my = _mm256_setzero_si256 ();
  __m256i back = _mm256_setzero_si256 ();
  guint16 lanes[32];
  gint64 sums[4];
  gsize i;

  for (i = 1; i + 16 <= n; i += 16)
    {
      mx = _mm256_max_epu16 (mx, _mm256_loadu_si256 ((const void *) (cx + i)));
      my = _mm256_max_epu16 (my, _mm256_loadu_si256 ((const void *) (cy + i)));
      for (guint q = 0; q < 16; q += 4)
        back = _mm256_sub_epi64 (back, _mm256_cmpgt_epi64 (
                                   _mm256_loadu_si256 ((const void *) (ct + i + q - 1)),
                                   _mm256_loadu_si256 ((const void *) (ct + i + q))));
    }
  _mm256_storeu_si256 ((void *) lanes, mx);
  _mm256_storeu_si256 ((void *) (lanes + 16), my);
  _mm256_storeu_si256 ((void *) sums, back);
  for (guint j = 0; j < 16; j++)
    {
      *max_x = MAX (*max_x, lanes[j]);
      *max_y = MAX (*max_y, lanes[16 + j]);
    }
  *backwards += (guint64) (sums[0] + sums[1] + sums[2] + sums[3]);
  return i;
}
#endif

/* The validation facts of @n ≥ 1 events: the number of events whose time
 * is before the previous event's (returned), the largest x and y (in
 * @max_xy as x << 16 | y), in one pass */
static inline __attribute__ ((always_inline)) guint64
evt3_facts_body (const gint64 *restrict  ct,
                 const guint16 *restrict cx,
                 const guint16 *restrict cy,
                 gsize                   n,
                 guint32                *max_xy,
                 gboolean                avx2)
{
  guint16 max_x = cx[0], max_y = cy[0];
  guint64 backwards = 0;
  gsize i = 1;

#ifdef HAVE_EVT3_BLOCK16_AVX2
  if (avx2)
    i = evt3_facts_block16_avx2 (ct, cx, cy, n, &max_x, &max_y, &backwards);
#endif

  for (; i < n; i++)
    {
      max_x = MAX (max_x, cx[i]);
      max_y = MAX (max_y, cy[i]);
      backwards += ct[i] < ct[i - 1];
    }
  *max_xy = (guint32) max_x << 16 | max_y;
  return backwards;
}

EVS_DEFINE_DISPATCH (guint64, evt3_facts,
                     (const gint64 *restrict ct, const guint16 *restrict cx,
                      const guint16 *restrict cy, gsize n, guint32 *max_xy),
                     ct, cx, cy, n, max_xy)

EVS_DEFINE_DISPATCH3 (gsize, evt3_decode_words,
                      (Evt3State *s, const guint8 *data, gsize n, gint64 *restrict ct,
                       guint16 *restrict cx, guint16 *restrict cy, guint8 *restrict cp, gsize k),
                      s, data, n, ct, cx, cy, cp, k)

/* Hands the chunk facts over to the validation pass */
static void
evt3_finish (EvsRawReader  *self,
             EvsEventChunk *chunk)
{
  guint32 max = 0;
  guint64 backwards = 0;

  if (chunk->n_events > 0)
    backwards = evt3_facts (chunk->t, chunk->x, chunk->y, chunk->n_events, &max);

  _evs_reader_set_chunk_facts (EVS_READER (self), (guint16) (max >> 16), (guint16) max,
                               backwards);
}

/* Everything before the first TIME_HIGH is ignored, state words included:
 * returns how many of the @n_words words at @data go (the TIME_HIGH
 * included, when there is one). */
static gsize
evt3_skip_to_time_high (EvsRawReader *self,
                        const guint8 *data,
                        gsize         n_words)
{
  EvsReaderStats *stats = _evs_reader_get_stats_mut (EVS_READER (self));
  gsize i;

  for (i = 0; i < n_words; i++)
    {
      guint32 w = load_u16_le (data + 2 * i);
      guint type = w >> 12;

      if (type == 0x8)
        {
          self->have_th = TRUE;
          self->th = w & 0xFFF;
          self->tl = 0;
          return i + 1;
        }
      if (type == 0x2)
        stats->before_time_base++;
      else if (type == 0x4)
        stats->before_time_base += (guint) __builtin_popcount (w & 0xFFF);
      else if (type == 0x5)
        stats->before_time_base += (guint) __builtin_popcount (w & 0xFF);
    }
  return i;
}

static void
evt3_state_load (EvsRawReader *self,
                 Evt3State    *s)
{
  s->thb = (gint64) (self->loops << 24) + ((gint64) self->th << 12);
  s->t = s->thb + self->tl;
  s->y = self->y;
  s->row_valid = self->row_valid ? 1 : 0;
  s->base_x = self->base_x;
  s->vpol = self->vpol;
  s->height = self->height;
  s->triggers = s->other = s->unknown = 0;
}

static void
evt3_state_store (EvsRawReader    *self,
                  const Evt3State *s)
{
  EvsReaderStats *stats = _evs_reader_get_stats_mut (EVS_READER (self));

  self->loops = (guint64) s->thb >> 24;
  self->th = (guint32) (s->thb >> 12) & 0xFFF;
  self->tl = (guint32) (s->t - s->thb);
  self->y = s->y;
  self->row_valid = s->row_valid != 0;
  self->base_x = s->base_x;
  self->vpol = s->vpol;
  stats->triggers += s->triggers;
  stats->other += s->other;
  stats->unknown_words += s->unknown;
}

/* Whether the AVX-512 blocks should decode what follows the @n words at
 * @data.  They decode scattered events (long runs of ADDR_Y, ADDR_X and
 * TIME_LOW) and bursts of vectors (many events per vector word) faster than
 * the AVX2 blocks and the scalar loops, but not sensor data, where runs are
 * ~30 words long, cut by groups of vector words with few events (< 1 on
 * average), which the scalar loop takes in one go.  Which
 * path decodes does not change what is decoded. */
static gboolean
evt3_prefer_avx512 (const guint8 *data,
                    gsize         n)
{
  guint vectors = 0, bits = 0;

  for (gsize i = 0; i < n; i++)
    {
      guint32 w = load_u16_le (data + 2 * i);
      guint32 type = w >> 12;

      if (type == 0x4 || type == 0x5)
        {
          vectors++;
          bits += (guint) __builtin_popcount (w & (type == 0x4 ? 0xFFF : 0xFF));
        }
    }
  /* more than 4 % vector words, with fewer than 1.5 events each (sensor
   * data: ~10 %, 0.7; the synthesiser's: ~2 %, 2.1; bursts: 32 %, 8) */
  return 25 * vectors <= n || 2 * bits >= 3 * vectors;
}

static gboolean
evs_raw_reader_decode_evt3 (EvsRawReader   *self,
                            EvsEventChunk  *chunk,
                            GError        **error)
{
  const gsize cap = chunk->capacity;
  gsize k = chunk->n_events;

  /* The facts cover this call's events only */
  g_assert (k == 0);
#ifdef HAVE_EVT3_BLOCK16_AVX2
  evt3_compress_init ();
#endif

  while (k + 12 <= cap)
    {
      const guint8 *data;
      gboolean ok;
      gsize n_words = words_available (self, &data, &ok, error);
      gsize i = 0;

      if (n_words == 0)
        {
          chunk->n_events = k;
          evt3_finish (self, chunk);
          return ok || k > 0 ? (g_clear_error (error), TRUE) : FALSE;
        }

      if (G_UNLIKELY (!self->have_th))
        i = evt3_skip_to_time_high (self, data, n_words);

      if (self->have_th)
        {
          Evt3State s;
          gsize n = MIN (n_words - i, (cap - k) / 12);

          evt3_state_load (self, &s);
          if (k == 0 && cap >= 16 * EVT3_SAMPLE_WORDS)
            self->avx512_blocks = evt3_prefer_avx512 (data + 2 * i, MIN (n, EVT3_SAMPLE_WORDS));
          if (self->avx512_blocks)
            k = evt3_decode_words (&s, data + 2 * i, n, chunk->t, chunk->x, chunk->y, chunk->p, k);
          else
            k = evt3_decode_words_upto_avx2 (&s, data + 2 * i, n, chunk->t, chunk->x, chunk->y,
                                             chunk->p, k);
          evt3_state_store (self, &s);
          i += n;
        }

      evs_file_source_consume (self->source, 2 * i);
    }

  chunk->n_events = k;
  evt3_finish (self, chunk);
  return TRUE;
}

/* Index scan ------------------------------------------------------------- */

/* Words the exact path decodes at a time, into the scan's own slots */
#define EVT3_SCAN_PIECE 32

/* What evs_raw_reader_scan () gathers over one chunk, in the decoder's time
 * (without the time origin) */
typedef struct
{
  guint32  width;
  guint32  height;
  gboolean have_prev;    /* a kept event before (this chunk or earlier) */
  gint64   prev_t;       /* its time */
  gboolean have_first;   /* a kept event in this chunk */
  gint64   t_first;
  gint64   t_max;
  guint64  n_kept;
  guint64  n_on;
  guint64  backwards;
  guint16  max_x;
  guint16  max_y;
  /* 12 slots per word, and room for the 32-lane stores of the fast paths */
  gint64   t[12 * EVT3_SCAN_PIECE + 32];
  guint16  x[12 * EVT3_SCAN_PIECE + 32];
  guint16  y[12 * EVT3_SCAN_PIECE + 32];
  guint8   p[12 * EVT3_SCAN_PIECE + 32];
} Evt3Scan;

/* The exact path: the decoder itself, then validation's rules event by
 * event.  Returns the number of events decoded (before validation). */
static inline __attribute__ ((always_inline)) gsize
evt3_scan_exact (Evt3State    *s,
                 const guint8 *data,
                 gsize         n,
                 Evt3Scan     *a,
                 guint         simd)
{
  gsize total = 0;

  for (gsize i = 0; i < n; i += EVT3_SCAN_PIECE)
    {
      gsize m = evt3_decode_words_body (s, data + 2 * i, MIN (n - i, EVT3_SCAN_PIECE),
                                        a->t, a->x, a->y, a->p, 0, simd);

      total += m;
      for (gsize e = 0; e < m; e++)
        {
          gint64 t = a->t[e];

          if (a->x[e] >= a->width || a->y[e] >= a->height)
            continue;
          a->n_kept++;
          a->n_on += a->p[e];
          a->max_x = MAX (a->max_x, a->x[e]);
          a->max_y = MAX (a->max_y, a->y[e]);
          if (a->have_prev && t < a->prev_t)
            a->backwards++;
          if (!a->have_first)
            {
              a->have_first = TRUE;
              a->t_first = a->t_max = t;
            }
          a->t_max = MAX (a->t_max, t);
          a->prev_t = t;
          a->have_prev = TRUE;
        }
    }
  return total;
}

#ifdef HAVE_EVT3_BLOCK32_AVX512
/* Vector sums and maxima of evt3_scan_block32_avx512 (), 32-bit lanes for
 * the counts */
typedef struct
{
  __m512i decoded;
  __m512i kept;
  __m512i on;
  __m512i max_x;
  __m512i max_y;
} Evt3ScanAcc;

/* The decoder state between blocks, broadcast to all lanes: kept in
 * vectors, the next block need not wait for it to go through general
 * registers (the blocks would be serialised) */
typedef struct
{
  __m512i y;      /* y | row_valid << 15 */
  __m512i tl;     /* t − thb */
  __m512i base;   /* base_x */
  __m512i vpol;
} Evt3ScanCarry;

__attribute__ ((target (EVS_TARGET_AVX512))) static inline void
evt3_carry_load (Evt3ScanCarry   *carry,
                 const Evt3State *s)
{
  carry->y = _mm512_set1_epi16 ((short) (s->y | s->row_valid << 15));
  carry->tl = _mm512_set1_epi16 ((short) (s->t - s->thb));
  carry->base = _mm512_set1_epi16 ((short) s->base_x);
  carry->vpol = _mm512_set1_epi16 ((short) s->vpol);
}

__attribute__ ((target (EVS_TARGET_AVX512))) static inline void
evt3_carry_store (const Evt3ScanCarry *carry,
                  Evt3State           *s)
{
  guint32 yl = (guint16) _mm_cvtsi128_si32 (evt3_low128 (carry->y));

  s->y = yl & 0x7FF;
  s->row_valid = yl >> 15;
  s->t = s->thb + (guint16) _mm_cvtsi128_si32 (evt3_low128 (carry->tl));
  s->base_x = (guint16) _mm_cvtsi128_si32 (evt3_low128 (carry->base));
  s->vpol = (guint16) _mm_cvtsi128_si32 (evt3_low128 (carry->vpol));
}

/* The index scan of 32 words that hold only ADDR_Y, ADDR_X, VECT_BASE_X,
 * VECT_12, VECT_8 and TIME_LOW (FALSE, and nothing done, otherwise): the
 * events are counted, not written.  Per word, the row and the time are the
 * last ones set before it (as in evt3_blocks32_avx512 ()); a vector word's
 * base_x is the last VECT_BASE_X's value plus the widths of the vector
 * words in between, a difference of prefix sums.  Words with events are
 * then packed to check the order of their times. */
__attribute__ ((target (EVS_TARGET_AVX512))) static inline gboolean
evt3_scan_block32_avx512 (const Evt3State *s,
                          Evt3ScanCarry   *carry,
                          const guint8    *block,
                          guint            r,
                          Evt3Scan        *a,
                          Evt3ScanAcc     *acc)
{
  /* the first @r ≤ 32 words (the others read as 0, ADDR_Y words after
   * them, which change nothing before) */
  const __mmask32 fm = (__mmask32) ((G_GUINT64_CONSTANT (1) << r) - 1);
  const __m512i w = _mm512_maskz_loadu_epi16 (fm, (const void *) block);
  const __m512i type = _mm512_srli_epi16 (w, 12);
  const __m512i one = _mm512_set1_epi16 (1);
  const __m512i m11 = _mm512_set1_epi16 (0x7FF);
  const __m512i lanes = evt3_lane_numbers32 ();
  __mmask32 is_y, is_x, is_b, is_v12, is_v8, is_tl, is_v, valid, ev_x, kept_x, has_v, with;
  __m512i c, last, inc, yvals, ys, tls, base, vps, x, bits, kbits, cand, kc;
  guint32 n_with;
  gint64 thb = s->thb;

  /* types 0 and 2 to 6 but 1; base_x far from its cap, so the widths can
   * be added without the cap */
  if ((guint32) (_mm512_cmplt_epu16_mask (type, _mm512_set1_epi16 (7))
                 & _mm512_cmpneq_epi16_mask (type, one)
                 & _mm512_cmple_epu16_mask (carry->base, _mm512_set1_epi16 (EVT3_BASE_X_CAP - 0x1000)))
      != 0xFFFFFFFFu)
    return FALSE;

  is_y = _mm512_cmpeq_epi16_mask (type, _mm512_setzero_si512 ());
  is_x = _mm512_cmpeq_epi16_mask (type, _mm512_set1_epi16 (2));
  is_b = _mm512_cmpeq_epi16_mask (type, _mm512_set1_epi16 (3));
  is_v12 = _mm512_cmpeq_epi16_mask (type, _mm512_set1_epi16 (4));
  is_v8 = _mm512_cmpeq_epi16_mask (type, _mm512_set1_epi16 (5));
  is_tl = _mm512_cmpeq_epi16_mask (type, _mm512_set1_epi16 (6));
  is_v = (is_v12 | is_v8) & fm;
  c = _mm512_and_si512 (w, _mm512_set1_epi16 (0xFFF));

  /* Row and time: as in evt3_blocks32_avx512 () */
  last = evt3_prefix_max32 (_mm512_or_si512 (_mm512_maskz_mov_epi16 (is_y, lanes),
                                             _mm512_slli_epi16 (_mm512_maskz_mov_epi16 (is_tl, lanes), 8)));
  yvals = _mm512_or_si512 (_mm512_and_si512 (c, m11),
                           _mm512_maskz_mov_epi16 (_mm512_cmplt_epu16_mask (c, _mm512_set1_epi16 ((short) MIN (s->height, 4096))),
                                                   _mm512_set1_epi16 ((short) 0x8000)));
  ys = _mm512_permutex2var_epi16 (yvals,
                                  _mm512_sub_epi16 (_mm512_and_si512 (last, _mm512_set1_epi16 (0xFF)), one),
                                  carry->y);
  tls = _mm512_permutex2var_epi16 (c, _mm512_sub_epi16 (_mm512_srli_epi16 (last, 8), one),
                                   carry->tl);

  /* base_x and polarity of the vector words, when there are any */
  if (((is_b | is_v12 | is_v8) & fm) != 0)
    base = evt3_vector_base32 (c, is_b, is_v12, is_v8, carry->base, carry->vpol, &vps, &inc);
  else
    {
      base = carry->base;
      vps = carry->vpol;
      inc = _mm512_setzero_si512 ();
    }

  /* ADDR_X events, kept when x < width */
  valid = _mm512_movepi16_mask (ys);
  x = _mm512_and_si512 (c, m11);
  ev_x = is_x & valid & fm;
  kept_x = ev_x & _mm512_cmplt_epu16_mask (x, _mm512_set1_epi16 ((short) a->width));

  /* Vector events: the bits of the columns left of the width */
  bits = _mm512_maskz_mov_epi16 (is_v & valid,
                                 _mm512_mask_mov_epi16 (c, is_v8, _mm512_and_si512 (c, _mm512_set1_epi16 (0xFF))));
  kbits = _mm512_and_si512 (bits,
                            _mm512_xor_si512 (_mm512_sllv_epi16 (_mm512_set1_epi16 (-1),
                                                                 _mm512_min_epu16 (_mm512_subs_epu16 (_mm512_set1_epi16 ((short) a->width), base),
                                                                                   _mm512_set1_epi16 (16))),
                                              _mm512_set1_epi16 (-1)));
  has_v = _mm512_test_epi16_mask (kbits, kbits);

  /* Counts, 32-bit lanes (an ADDR_X word counts as one bit) */
  {
    const __m512i pc_all = _mm512_add_epi16 (_mm512_popcnt_epi16 (bits), _mm512_maskz_mov_epi16 (ev_x, one));
    const __m512i pc_kept = _mm512_add_epi16 (_mm512_popcnt_epi16 (kbits), _mm512_maskz_mov_epi16 (kept_x, one));
    const __mmask32 on = (kept_x & _mm512_test_epi16_mask (c, _mm512_set1_epi16 (0x800)))
                         | (has_v & _mm512_test_epi16_mask (vps, one));

    acc->decoded = _mm512_add_epi32 (acc->decoded, _mm512_madd_epi16 (pc_all, one));
    acc->kept = _mm512_add_epi32 (acc->kept, _mm512_madd_epi16 (pc_kept, one));
    acc->on = _mm512_add_epi32 (acc->on, _mm512_madd_epi16 (_mm512_maskz_mov_epi16 (on, pc_kept), one));
  }

  /* Largest x: the highest kept bit of a vector word is the popcount of
   * the bits smeared to the right, minus one */
  kc = _mm512_or_si512 (kbits, _mm512_srli_epi16 (kbits, 1));
  kc = _mm512_or_si512 (kc, _mm512_srli_epi16 (kc, 2));
  kc = _mm512_or_si512 (kc, _mm512_srli_epi16 (kc, 4));
  kc = _mm512_or_si512 (kc, _mm512_srli_epi16 (kc, 8));
  cand = _mm512_mask_mov_epi16 (x, has_v,
                                _mm512_sub_epi16 (_mm512_add_epi16 (base, _mm512_popcnt_epi16 (kc)), one));
  with = kept_x | has_v;
  acc->max_x = _mm512_max_epu16 (acc->max_x, _mm512_maskz_mov_epi16 (with, cand));
  acc->max_y = _mm512_max_epu16 (acc->max_y, _mm512_maskz_mov_epi16 (with, _mm512_and_si512 (ys, m11)));

  /* Times of the words with kept events, in order; all share thb here */
  n_with = (guint32) __builtin_popcount (with);
  if (n_with > 0)
    {
      const __m512i tc = _mm512_maskz_compress_epi16 (with, tls);
      gint64 prev = a->have_prev ? a->prev_t - thb : 0;
      __m512i before;
      guint32 back;
      guint32 tl_last = evt3_lane32 (tc, n_with - 1);

      /* lane 0 compares with the previous kept event (clamped: a time from
       * before thb never counts, one from after always does) */
      before = _mm512_mask_permutexvar_epi16 (_mm512_set1_epi16 ((short) CLAMP (prev, 0, 0xFFFF)),
                                              ~1u, _mm512_sub_epi16 (lanes, _mm512_set1_epi16 (2)), tc);
      back = _mm512_cmplt_epu16_mask (tc, before) & (guint32) ((G_GUINT64_CONSTANT (1) << n_with) - 1);
      a->backwards += (guint) __builtin_popcount (back);
      if (!a->have_first)
        {
          a->have_first = TRUE;
          a->t_first = a->t_max = thb + evt3_lane32 (tc, 0);
        }
      if (G_LIKELY ((back >> 1) == 0))
        a->t_max = MAX (a->t_max, thb + tl_last);
      else
        {
          guint16 tl[32];

          _mm512_storeu_si512 ((void *) tl, tc);
          for (guint j = 0; j < n_with; j++)
            a->t_max = MAX (a->t_max, thb + tl[j]);
        }
      a->prev_t = thb + tl_last;
      a->have_prev = TRUE;
    }

  /* The state after the block: that of its last lane, plus its own width */
  {
    const __m512i l31 = _mm512_set1_epi16 ((short) (r - 1));

    carry->y = _mm512_permutexvar_epi16 (l31, ys);
    carry->tl = _mm512_permutexvar_epi16 (l31, tls);
    carry->base = _mm512_permutexvar_epi16 (l31, _mm512_add_epi16 (base, inc));
    carry->vpol = _mm512_permutexvar_epi16 (l31, vps);
  }
  return TRUE;
}

__attribute__ ((target (EVS_TARGET_AVX512))) static inline guint64
evt3_sum32 (__m512i v)
{
  guint32 lanes[16];
  guint64 sum = 0;

  /* (not _mm512_reduce_add_epi32 (), see evt3_low128 ()) */
  _mm512_storeu_si512 ((void *) lanes, v);
  for (guint j = 0; j < 16; j++)
    sum += lanes[j];
  return sum;
}

/* The whole blocks of 32 of the @n words at @data; returns the events
 * decoded before validation, sets *@done to the number of words seen */
__attribute__ ((target (EVS_TARGET_AVX512))) static gsize
evt3_scan_blocks_avx512 (Evt3State    *s,
                         const guint8 *data,
                         gsize         n,
                         Evt3Scan     *a,
                         gsize        *done)
{
  Evt3ScanAcc acc;
  Evt3ScanCarry carry;
  guint16 mx[32], my[32];
  gsize total = 0;
  gsize i;

  acc.decoded = acc.kept = acc.on = acc.max_x = acc.max_y = _mm512_setzero_si512 ();
  evt3_carry_load (&carry, s);
  /* the last block may be shorter: the steps of the decoder end anywhere */
  for (i = 0; i < n; i += 32)
    {
      const guint r = (guint) MIN (n - i, 32);

      if (!evt3_scan_block32_avx512 (s, &carry, data + 2 * i, r, a, &acc))
        {
          evt3_carry_store (&carry, s);
          total += evt3_scan_exact (s, data + 2 * i, r, a, EVS_SIMD_AVX512);
          evt3_carry_load (&carry, s);
        }
    }
  evt3_carry_store (&carry, s);
  total += evt3_sum32 (acc.decoded);
  a->n_kept += evt3_sum32 (acc.kept);
  a->n_on += evt3_sum32 (acc.on);
  _mm512_storeu_si512 ((void *) mx, acc.max_x);
  _mm512_storeu_si512 ((void *) my, acc.max_y);
  for (guint j = 0; j < 32; j++)
    {
      a->max_x = MAX (a->max_x, mx[j]);
      a->max_y = MAX (a->max_y, my[j]);
    }
  *done = n;
  return total;
}
#endif

/* Counts what @n words decode to (returned: the events before validation,
 * as evt3_decode_words () would return) and gathers the facts of the kept
 * ones into @a */
static inline __attribute__ ((always_inline)) gsize
evt3_scan_words_body (Evt3State    *s,
                      const guint8 *data,
                      gsize         n,
                      Evt3Scan     *a,
                      guint         simd)
{
  gsize total = 0;
  gsize i = 0;

#ifdef HAVE_EVT3_BLOCK32_AVX512
  if (simd == EVS_SIMD_AVX512)
    total = evt3_scan_blocks_avx512 (s, data, n, a, &i);
#endif

  return total + evt3_scan_exact (s, data + 2 * i, n - i, a, simd);
}

EVS_DEFINE_DISPATCH3 (gsize, evt3_scan_words,
                      (Evt3State *s, const guint8 *data, gsize n, Evt3Scan *a),
                      s, data, n, a)

/* EvsReaderClass.scan: the loop of evs_raw_reader_decode_evt3 () with
 * evt3_scan_words () for evt3_decode_words (), so that the chunks end at
 * the same words.  Only with AVX-512, where counting beats decoding. */
static int
evs_raw_reader_scan (EvsReader     *reader,
                     gsize          capacity,
                     gboolean       have_prev,
                     gint64         prev_t,
                     EvsScanFacts  *facts,
                     GError       **error)
{
  EvsRawReader *self = (EvsRawReader *) reader;
  const EvsRecordingInfo *info = evs_reader_get_info (reader);
  g_autofree Evt3Scan *a = NULL;
  const gsize cap = capacity;
  gsize k = 0;

  if (self->word_size != 2 || _evs_simd_level () < EVS_SIMD_AVX512)
    return 0;

#ifdef HAVE_EVT3_BLOCK16_AVX2
  evt3_compress_init ();
#endif
  a = g_new0 (Evt3Scan, 1);
  a->width = info->width;
  a->height = info->height;
  a->have_prev = have_prev;
  a->prev_t = prev_t - self->time_origin;

  while (k + 12 <= cap)
    {
      const guint8 *data;
      gboolean ok;
      gsize n_words = words_available (self, &data, &ok, error);
      gsize i = 0;

      if (n_words == 0)
        {
          if (!ok && k == 0)
            return -1;
          g_clear_error (error);
          break;
        }

      if (G_UNLIKELY (!self->have_th))
        i = evt3_skip_to_time_high (self, data, n_words);

      if (self->have_th)
        {
          Evt3State s;
          gsize n = MIN (n_words - i, (cap - k) / 12);

          evt3_state_load (self, &s);
          k += evt3_scan_words (&s, data + 2 * i, n, a);
          evt3_state_store (self, &s);
          i += n;
        }

      evs_file_source_consume (self->source, 2 * i);
    }

  facts->n_decoded = k;
  facts->n_events = a->n_kept;
  facts->dropped = k - a->n_kept;
  if (a->n_kept > 0)
    {
      facts->n_on = a->n_on;
      facts->t_first = a->t_first + self->time_origin;
      facts->t_last = a->prev_t + self->time_origin;
      facts->t_max = a->t_max + self->time_origin;
      facts->backwards = a->backwards;
      facts->max_x = a->max_x;
      facts->max_y = a->max_y;
    }
  return 1;
}

/* Position ---------------------------------------------------------------- */

/* state[0]: have_th | th << 1 (28 bits) | row_valid << 29 | vpol << 30
 *           | tl << 32 (12 bits) | y << 44 (12 bits)
 * state[1]: loops
 * state[2]: base_x */
static void
evs_raw_reader_tell (EvsReader         *reader,
                     EvsReaderPosition *position)
{
  EvsRawReader *self = (EvsRawReader *) reader;

  position->offset = evs_file_source_tell (self->source);
  position->state[0] = (guint64) (self->have_th ? 1 : 0)
                       | (guint64) (self->th & 0x0FFFFFFF) << 1
                       | (guint64) (self->row_valid ? 1 : 0) << 29
                       | (guint64) (self->vpol & 1) << 30
                       | (guint64) (self->tl & 0xFFF) << 32
                       | (guint64) (self->y & 0xFFF) << 44;
  position->state[1] = self->loops;
  position->state[2] = self->base_x;
}

static gboolean
evs_raw_reader_restore (EvsReader                *reader,
                        const EvsReaderPosition  *position,
                        GError                  **error)
{
  EvsRawReader *self = (EvsRawReader *) reader;
  guint64 s = position->state[0];

  if (position->offset < self->payload_offset
      || (position->offset - self->payload_offset) % self->word_size != 0
      || position->state[2] > EVT3_BASE_X_CAP
      || position->state[1] > (G_GUINT64_CONSTANT (1) << 38))
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                   "Byte %" G_GUINT64_FORMAT " is not the start of a word in “%s”",
                   position->offset, evs_file_source_get_path (self->source));
      return FALSE;
    }

  if (!evs_file_source_seek (self->source, position->offset, error))
    return FALSE;

  self->have_th = (s & 1) != 0;
  self->th = (s >> 1) & 0x0FFFFFFF;
  self->row_valid = ((s >> 29) & 1) != 0;
  self->vpol = (s >> 30) & 1;
  self->tl = (s >> 32) & 0xFFF;
  self->y = (s >> 44) & 0xFFF;
  self->loops = position->state[1];
  self->base_x = (guint32) position->state[2];

  return TRUE;
}

static gboolean
evs_raw_reader_decode (EvsReader      *reader,
                       EvsEventChunk  *chunk,
                       GError        **error)
{
  EvsRawReader *self = (EvsRawReader *) reader;
  gsize start = chunk->n_events;
  gboolean ok;

  switch (self->word_size)
    {
    case 4:
      ok = evs_raw_reader_decode_evt2 (self, chunk, error);
      break;
    case 8:
      ok = evs_raw_reader_decode_evt21 (self, chunk, error);
      break;
    default:
      ok = evs_raw_reader_decode_evt3 (self, chunk, error);
      break;
    }

  /* Evscope's writer stores times far beyond the first loops (Unix epoch
   * µs, say) relative to an origin stated in the header. */
  if (self->time_origin != 0)
    for (gsize i = start; i < chunk->n_events; i++)
      chunk->t[i] += self->time_origin;

  return ok;
}

static void
evs_raw_reader_finalize (GObject *object)
{
  EvsRawReader *self = (EvsRawReader *) object;

  g_clear_pointer (&self->source, evs_file_source_free);

  G_OBJECT_CLASS (evs_raw_reader_parent_class)->finalize (object);
}

static void
evs_raw_reader_class_init (EvsRawReaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  EvsReaderClass *reader_class = EVS_READER_CLASS (klass);

  object_class->finalize = evs_raw_reader_finalize;

  reader_class->decode = evs_raw_reader_decode;
  reader_class->tell = evs_raw_reader_tell;
  reader_class->restore = evs_raw_reader_restore;
  reader_class->scan = evs_raw_reader_scan;
}

static void
evs_raw_reader_init (EvsRawReader *self)
{
  /* until a chunk has been sampled */
  self->avx512_blocks = TRUE;
}

/* Header ------------------------------------------------------------------ */

typedef struct
{
  int         id;
  EvsFormat   format;
  guint       width;
  guint       height;
} SystemInfo;

/* openeb psee_raw_file_header.cpp system_id_map (FORMATS.md §1.1) */
static const SystemInfo system_table[] = {
  { 21, EVS_FORMAT_EVT2, 640, 480 },
  { 28, EVS_FORMAT_EVT2, 640, 480 },
  { 26, EVS_FORMAT_EVT2, 1280, 720 },
  { 23, EVS_FORMAT_EVT2, 640, 480 },
  { 151, EVS_FORMAT_EVT2, 640, 480 },
  { 25, EVS_FORMAT_EVT2, 640, 480 },
  { 153, EVS_FORMAT_EVT2, 640, 480 },
  { 29, EVS_FORMAT_EVT2, 640, 480 },
  { 35, EVS_FORMAT_EVT2, 640, 480 },
  { 30, EVS_FORMAT_EVT3, 1280, 720 },
  { 46, EVS_FORMAT_EVT3, 1280, 720 },
  { 33, EVS_FORMAT_EVT2, 640, 480 },
  { 161, EVS_FORMAT_EVT2, 640, 480 },
  { 34, EVS_FORMAT_EVT2, 640, 480 },
  { 162, EVS_FORMAT_EVT2, 640, 480 },
  { 41, EVS_FORMAT_EVT2, 640, 480 },
  { 31, EVS_FORMAT_EVT2, 1280, 720 },
  { 39, EVS_FORMAT_EVT2, 1280, 720 },
  { 40, EVS_FORMAT_EVT3, 640, 480 },
  { 48, EVS_FORMAT_EVT3, 1280, 720 },
  { 50, EVS_FORMAT_EVT3, 1280, 720 },
  { 49, EVS_FORMAT_EVT3, 1280, 720 },
};

static const SystemInfo *
lookup_system (int id)
{
  for (guint i = 0; i < G_N_ELEMENTS (system_table); i++)
    if (system_table[i].id == id)
      return &system_table[i];
  return NULL;
}

static EvsFormat
format_from_name (const char *name)
{
  if (g_strcmp0 (name, "EVT2") == 0)
    return EVS_FORMAT_EVT2;
  if (g_strcmp0 (name, "EVT21") == 0)
    return EVS_FORMAT_EVT21;
  if (g_strcmp0 (name, "EVT3") == 0)
    return EVS_FORMAT_EVT3;
  return EVS_FORMAT_UNKNOWN;
}

/* Integers as StreamFormat reads them (strtol base 0); a dimension must fit
 * the 11-bit coordinates of the EVT formats. */
static gboolean
parse_dimension (const char *text,
                 guint      *out)
{
  char *end = NULL;
  gint64 v;

  if (text == NULL || *text == '\0')
    return FALSE;
  v = g_ascii_strtoll (text, &end, 0);
  if (end == text || *end != '\0' || v < 1 || v > 2048)
    return FALSE;
  *out = (guint) v;
  return TRUE;
}

static const char *
format_label (EvsFormat format)
{
  if (format == EVS_FORMAT_EVT2)
    return "EVT 2.0";
  if (format == EVS_FORMAT_EVT21)
    return "EVT 2.1";
  return "EVT 3.0";
}

/* PseeRawFileHeader::check_header (FORMATS.md §1.1, steps 1–5) */
static gboolean
resolve_header (EvsRawReader      *self,
                EvsRecordingInfo  *info,
                const char        *path,
                GError           **error)
{
  const char *camera_integrator = evs_recording_info_lookup (info, "camera_integrator_name");
  const char *plugin_integrator = evs_recording_info_lookup (info, "plugin_integrator_name");
  const char *integrator = evs_recording_info_lookup (info, "integrator_name");
  const char *format_value = evs_recording_info_lookup (info, "format");
  const char *geometry = evs_recording_info_lookup (info, "geometry");
  const char *system_text = evs_recording_info_lookup (info, "system_ID");
  const char *endianness = NULL;
  const SystemInfo *system = NULL;
  gint64 system_id = -1;
  gboolean prophesee;
  gboolean have_size = FALSE;
  gboolean size_from_system = FALSE;
  guint width = 0, height = 0;
  EvsFormat format;
  g_autofree char *name = NULL;
  g_autoptr(GString) detail = g_string_new (NULL);

  /* 1. Integrator names */
  if (camera_integrator == NULL || *camera_integrator == '\0')
    camera_integrator = integrator;
  if (plugin_integrator == NULL || *plugin_integrator == '\0')
    plugin_integrator = integrator;
  if (camera_integrator == NULL || *camera_integrator == '\0')
    camera_integrator = "Prophesee";
  if (plugin_integrator == NULL || *plugin_integrator == '\0')
    plugin_integrator = "Prophesee";
  prophesee = strcmp (camera_integrator, "Prophesee") == 0;

  if (system_text != NULL)
    {
      char *end = NULL;
      gint64 v = g_ascii_strtoll (system_text, &end, 10);

      if (end != system_text && *end == '\0' && v >= 0 && v <= G_MAXINT32)
        system_id = v;
    }
  if (prophesee && system_id >= 0)
    system = lookup_system ((int) system_id);

  if (format_value == NULL)
    {
      /* 2. Legacy header: evt key and the system table */
      const char *evt = evs_recording_info_lookup (info, "evt");

      if (system == NULL)
        {
          if (system_id >= 0)
            g_set_error (error, EVS_ERROR, EVS_ERROR_UNSUPPORTED,
                         "Could not get the event format of “%s”: its header has no “format” "
                         "entry and system_ID %" G_GINT64_FORMAT " is not a known camera",
                         path, system_id);
          else
            g_set_error (error, EVS_ERROR, EVS_ERROR_UNSUPPORTED,
                         "Could not get the event format of “%s”: its header has neither a "
                         "“format” nor a known “system_ID” entry", path);
          return FALSE;
        }

      if (g_strcmp0 (evt, "2.0") == 0)
        format = EVS_FORMAT_EVT2;
      else if (g_strcmp0 (evt, "3.0") == 0)
        format = EVS_FORMAT_EVT3;
      else if (g_strcmp0 (evt, "2.1") == 0)
        format = EVS_FORMAT_EVT21;
      else
        format = system->format;
      width = system->width;
      height = system->height;
      have_size = TRUE;
      size_from_system = TRUE;
    }
  else
    {
      /* 3. “NAME;opt=val;…” */
      g_auto(GStrv) items = g_strsplit (format_value, ";", -1);
      const char *opt_width = NULL, *opt_height = NULL;

      name = g_strdup (items[0] != NULL ? items[0] : "");
      for (guint i = 1; items[0] != NULL && items[i] != NULL; i++)
        {
          char *eq = strchr (items[i], '=');

          if (eq == NULL)
            continue;
          *eq = '\0';
          if (strcmp (items[i], "width") == 0)
            opt_width = eq + 1;
          else if (strcmp (items[i], "height") == 0)
            opt_height = eq + 1;
          else if (strcmp (items[i], "endianness") == 0)
            endianness = g_intern_string (eq + 1);
        }

      format = format_from_name (name);
      if (format == EVS_FORMAT_UNKNOWN)
        {
          g_set_error (error, EVS_ERROR, EVS_ERROR_UNSUPPORTED,
                       "“%s” holds %s events; Evscope reads the RAW encodings EVT2, EVT21 "
                       "and EVT3", path, *name != '\0' ? name : "unnamed");
          return FALSE;
        }

      if (opt_width != NULL || opt_height != NULL)
        {
          if (!parse_dimension (opt_width, &width) || !parse_dimension (opt_height, &height))
            {
              g_set_error (error, EVS_ERROR, EVS_ERROR_CORRUPT,
                           "“%s” states an invalid sensor size in “format %s” (width and "
                           "height must be 1 to 2048)", path, format_value);
              return FALSE;
            }
          have_size = TRUE;
        }

      if (geometry != NULL)
        {
          g_auto(GStrv) wh = g_strsplit (geometry, "x", 3);
          guint gw = 0, gh = 0;

          if (g_strv_length (wh) != 2 || !parse_dimension (wh[0], &gw)
              || !parse_dimension (wh[1], &gh))
            {
              g_set_error (error, EVS_ERROR, EVS_ERROR_CORRUPT,
                           "“%s” states an invalid geometry “%s” (expected WIDTHxHEIGHT, "
                           "each 1 to 2048)", path, geometry);
              return FALSE;
            }
          if (have_size && (gw != width || gh != height))
            {
              g_set_error (error, EVS_ERROR, EVS_ERROR_CORRUPT,
                           "The header of “%s” contradicts itself: format says %ux%u, "
                           "geometry says %ux%u", path, width, height, gw, gh);
              return FALSE;
            }
          width = gw;
          height = gh;
          have_size = TRUE;
        }

      /* 4. Geometry from the system table */
      if (!have_size)
        {
          if (system == NULL)
            {
              g_set_error (error, EVS_ERROR, EVS_ERROR_CORRUPT,
                           "The header of “%s” states no sensor size (no width/height in "
                           "“format”, no “geometry”, no known “system_ID”)", path);
              return FALSE;
            }
          width = system->width;
          height = system->height;
          have_size = TRUE;
          size_from_system = TRUE;
        }
    }

  g_string_append (detail, format_label (format));

  /* 5. EVT 2.1 byte order */
  if (format == EVS_FORMAT_EVT21)
    {
      if (endianness == NULL)
        endianness = evs_recording_info_lookup (info, "endianness");
      if (endianness == NULL)
        {
          /* A missing system_ID counts as -1, which is != 0 and < 0x37 */
          gboolean both = prophesee && strcmp (plugin_integrator, "Prophesee") == 0;

          endianness = both && system_id != 0 && system_id < 0x37 ? "legacy" : "little";
        }
      self->legacy_order = strcmp (endianness, "legacy") == 0;
      g_string_append (detail, self->legacy_order ? ", legacy byte order" : ", little-endian byte order");
    }

  if (size_from_system)
    g_string_append_printf (detail, ", geometry from system_ID %" G_GINT64_FORMAT, system_id);

  info->format = format;
  info->width = width;
  info->height = height;
  info->geometry_known = TRUE;
  g_free (info->detail);
  info->detail = g_string_free (g_steal_pointer (&detail), FALSE);

  return TRUE;
}

/* Metavision's default time shift, from the first TIME_HIGH in the first
 * buffer of payload (0 when there is none there). */
static gint64
peek_time_shift (EvsRawReader *self)
{
  const guint8 *data;
  gsize avail;
  const guint hi_at = self->legacy_order ? 0 : 4;

  if (!evs_file_source_fill (self->source, EVS_FILE_SOURCE_DEFAULT_BUFFER, NULL))
    return 0;
  data = evs_file_source_peek (self->source, &avail);

  for (gsize at = 0; at + self->word_size <= avail; at += self->word_size)
    {
      switch (self->word_size)
        {
        case 2:
          {
            guint16 w = load_u16_le (data + at);

            if (w >> 12 == 0x8)
              return (gint64) ((w & 0xFFF) > 0 ? (w & 0xFFF) - 1 : 0) << 12;
          }
          break;
        case 4:
          {
            guint32 w = load_u32_le (data + at);

            if (w >> 28 == 0x8)
              return (gint64) (w & 0x0FFFFFFF) << 6;
          }
          break;
        default:
          {
            guint32 hi = load_u32_le (data + at + hi_at);

            if (hi >> 28 == 0x8)
              return (gint64) (hi & 0x0FFFFFFF) << 6;
          }
          break;
        }
    }

  return 0;
}

EvsReader *
_evs_raw_reader_new (const char  *path,
                     GError     **error)
{
  g_autoptr(EvsRawReader) self = NULL;
  EvsRecordingInfo *info;
  guint64 header_size = 0;
  const char *origin;

  self = g_object_new (EVS_TYPE_RAW_READER, NULL);
  info = _evs_reader_get_info_mut (EVS_READER (self));

  self->source = evs_file_source_open (path, error);
  if (self->source == NULL)
    return NULL;

  info->file_size = evs_file_source_get_size (self->source);

  if (!evs_prophesee_header_parse (self->source, info, &header_size, error))
    return NULL;
  if (!resolve_header (self, info, path, error))
    return NULL;

  if (info->format == EVS_FORMAT_EVT2)
    self->word_size = 4;
  else if (info->format == EVS_FORMAT_EVT21)
    self->word_size = 8;
  else
    self->word_size = 2;
  self->height = info->height;
  self->payload_offset = evs_file_source_tell (self->source);
  info->time_shift_us = peek_time_shift (self);
  evs_file_source_set_read_size (self->source, READ_BYTES);

  origin = evs_recording_info_lookup (info, "evscope_time_origin_us");
  if (origin != NULL
      && !g_ascii_string_to_signed (origin, 10, 0, G_MAXINT64 / 2, &self->time_origin, NULL))
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_CORRUPT,
                   "“%s” states an invalid time origin “%s” in its header", path, origin);
      return NULL;
    }
  if (self->time_origin != 0)
    info->time_shift_us += self->time_origin;

  return EVS_READER (g_steal_pointer (&self));
}
