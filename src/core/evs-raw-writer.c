/* evs-raw-writer.c
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

#define G_LOG_DOMAIN "evs-raw-writer"

#include "config.h"

#include "evs-error.h"
#include "evs-prophesee-header.h"
#include "evs-writer-private.h"
#include "evs-simd-private.h"

#include <string.h>

/* Writes Prophesee RAW in EVT 2.0, EVT 2.1 (little-endian byte order) or
 * EVT 3.0 (FORMATS.md §1).  The header always carries `format`, `geometry`
 * and `% end`, so OpenEB does not need its system_ID table.
 *
 * EVT 2.0: a TIME_HIGH word whenever t >> 6 changes, then one CD word per
 * event.  EVT 2.1: runs of same (t, y, p) events with increasing x inside a
 * 32-aligned column block share one masked word.  EVT 3.0: TIME_HIGH when
 * t >> 12 changes, TIME_LOW when t & 0xFFF changes, ADDR_Y when y changes,
 * then a VECT_BASE_X, VECT_12, VECT_12, VECT_8 group for a run of at least
 * five same (t, y, p) events with increasing x within 32 columns (the group
 * never reaches past the right edge, as OpenEB's validator wants), otherwise
 * one ADDR_X word per event.
 *
 * Time loops: when the TIME_HIGH counter wraps (every 2^34 µs in EVT 2.x,
 * 2^24 µs in EVT 3.0) the writer emits the words that make readers count the
 * loop: the maximum TIME_HIGH value followed by 0 (EVT 2.x), and in EVT 3.0
 * every TIME_HIGH value of a gap of up to one loop (larger gaps are walked in
 * steps of at most 2047 that always pass through 0xFFF → 0).  When the first
 * event lies beyond the first loop the stream starts at TIME_HIGH 0 and walks
 * the loops the same way (a few bytes per loop), so times read back exactly
 * up to 2^20 loops (about 203 days in EVT 3.0); a later first event (say, Unix
 * epoch microseconds) is stored modulo the loop, as a RAW file cannot state
 * its loop count otherwise.
 *
 * Events must have t ≥ 0, non-decreasing times and coordinates inside the
 * geometry (at most 2048×2048); anything else is an error naming the event. */

#define BUFFER_SIZE (128 * 1024)
#define BUFFER_SLACK 256

/* Refuse gaps that would need absurd amounts of filler words */
#define MAX_LOOPS_IN_GAP (G_GINT64_CONSTANT (1) << 20)

#define EVT2_TH_MASK 0x0FFFFFFF

struct _EvsRawWriter
{
  EvsWriter  parent_instance;
  EvsFormat  format;
  guint      width;
  guint      height;
  guint8    *buffer;
  gsize      len;

  guint64    n_done;     /* events written before the current chunk */
  gboolean   have_last;
  gint64     last_t;
  gint64     cur_th;     /* full TIME_HIGH count (t >> 6 or t >> 12); -1 before the first */
  guint32    cur_tl;     /* EVT 3.0 */
  gint32     cur_y;      /* EVT 3.0; -1 before the first */

  GString       *header;     /* written with the first events */
  gint64         origin;     /* subtracted from every time, stated in the header */
  EvsEventChunk *shifted;    /* the chunk with @origin subtracted */
  gint32     cur_bx;     /* EVT 3.0 readers' vector base x; -1 before the first */
  guint32    cur_vpol;   /* EVT 3.0 readers' vector polarity */
  gboolean   simd;       /* EVT 3.0 blocks of 16 events with AVX-512 */
};

G_DEFINE_FINAL_TYPE (EvsRawWriter, evs_raw_writer, EVS_TYPE_WRITER)

static inline void
put_u16 (guint8  *p,
         guint16  v)
{
  v = GUINT16_TO_LE (v);
  memcpy (p, &v, sizeof v);
}

static inline void
put_u32 (guint8  *p,
         guint32  v)
{
  v = GUINT32_TO_LE (v);
  memcpy (p, &v, sizeof v);
}

static gboolean
flush (EvsRawWriter  *self,
       GError       **error)
{
  gsize len = self->len;

  self->len = 0;
  return len == 0 || _evs_writer_write_bytes (EVS_WRITER (self), self->buffer, len, error);
}

static const char *
format_name (EvsFormat format)
{
  if (format == EVS_FORMAT_EVT2)
    return "EVT2";
  if (format == EVS_FORMAT_EVT21)
    return "EVT21";
  return "EVT3";
}

static void
append_line (GString    *header,
             const char *key,
             const char *value)
{
  g_autofree char *line = evs_prophesee_header_format (key, value);

  g_string_append (header, line);
}

/* Header keys that decide how a RAW file is read */
static const char * const reserved_keys[] = {
  "end", "format", "geometry", "evt", "endianness", "system_ID", "integrator_name",
  "camera_integrator_name", "plugin_integrator_name", "date", "Date", NULL
};

static gboolean
evs_raw_writer_begin (EvsWriter  *writer,
                      GError    **error)
{
  EvsRawWriter *self = (EvsRawWriter *) writer;
  const EvsRecordingInfo *info = _evs_writer_get_info (writer);
  const char * const *comments = _evs_writer_get_comments (writer);
  g_autoptr(GString) header = g_string_new (NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%d %H:%M:%S");
  g_autofree char *format = NULL;
  g_autofree char *geometry = NULL;

  self->format = evs_writer_get_format (writer);
  self->width = info->width;
  self->height = info->height;

  if (self->width == 0 || self->height == 0 || self->width > 2048 || self->height > 2048)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                   "Cannot write “%s”: a RAW file needs the sensor size, from 1×1 to "
                   "2048×2048 (this recording states %u×%u)",
                   evs_writer_get_path (writer), self->width, self->height);
      return FALSE;
    }

  if (self->format == EVS_FORMAT_EVT21)
    format = g_strdup_printf ("EVT21;endianness=little;height=%u;width=%u",
                              self->height, self->width);
  else
    format = g_strdup_printf ("%s;height=%u;width=%u", format_name (self->format),
                              self->height, self->width);
  geometry = g_strdup_printf ("%ux%u", self->width, self->height);

  append_line (header, "camera_integrator_name", "Evscope");
  append_line (header, "date", date);
  if (self->format == EVS_FORMAT_EVT21)
    append_line (header, "endianness", "little");
  else
    append_line (header, "evt", self->format == EVS_FORMAT_EVT2 ? "2.0" : "3.0");
  append_line (header, "format", format);
  append_line (header, "geometry", geometry);
  append_line (header, "integrator_name", "Evscope");
  append_line (header, "plugin_integrator_name", "Evscope");

  /* Provenance after our own entries.  A comment may not replace an entry
   * that decides how the file is read (OpenEB keeps the last value of a
   * repeated key), nor end the header early: such keys get a prefix. */
  for (guint i = 0; comments != NULL && comments[i] != NULL; i++)
    {
      g_autofree char *entry = g_strstrip (g_strdup (comments[i]));
      g_autofree char *key = NULL;
      const char *value;
      char *space;

      g_strdelimit (entry, "\r\n\t", ' ');
      space = strchr (entry, ' ');
      if (space != NULL)
        {
          key = g_strndup (entry, (gsize) (space - entry));
          value = space + 1;
        }
      else
        {
          key = g_strdup (entry);
          value = "";
        }
      if (*key == '\0')
        continue;
      if (g_strv_contains (reserved_keys, key))
        {
          char *renamed = g_strconcat ("comment_", key, NULL);

          g_free (key);
          key = renamed;
        }
      append_line (header, key, value);
    }
  self->buffer = g_malloc (BUFFER_SIZE + BUFFER_SLACK);
  self->len = 0;
  self->cur_th = -1;
  self->cur_y = -1;
  self->header = g_steal_pointer (&header);
  self->cur_bx = -1;

  return TRUE;
}

/* The header waits for the first event: a recording that starts beyond a
 * thousand time loops (Unix epoch µs from AEDAT, say) cannot be written by
 * walking the loops, so its times are stored relative to a whole number of
 * loops stated as `evscope_time_origin_us`; Evscope's reader adds it back,
 * other readers see the times modulo the loop, as Metavision's time shift
 * would show them anyway. */
static gboolean
write_header (EvsRawWriter  *self,
              gint64         first_t,
              GError       **error)
{
  g_autoptr(GString) header = g_steal_pointer (&self->header);
  guint loop_bits = self->format == EVS_FORMAT_EVT3 ? 24 : 34;

  if (first_t >> loop_bits > 1024)
    {
      g_autofree char *origin = NULL;

      self->origin = (first_t >> loop_bits) << loop_bits;
      origin = g_strdup_printf ("%" G_GINT64_FORMAT, self->origin);
      append_line (header, "evscope_time_origin_us", origin);
    }
  g_string_append (header, "% end\n");

  return _evs_writer_write_bytes (EVS_WRITER (self), header->str, header->len, error);
}

/* Whether all times are ≥ @prev, ≥ 0 and sorted and all coordinates are
 * inside w × h: the sign bits of the times and of the differences of
 * neighbours (exact while all times are ≥ 0; a false alarm only costs the
 * exact pass of check_chunk()), in loops the compiler vectorises, for AVX2
 * too (chosen at run time) */
__attribute__ ((target_clones ("avx2", "default"), optimize ("O3")))
static gboolean
chunk_is_clean (const gint64  *t,
                const guint16 *x,
                const guint16 *y,
                gsize          n,
                gint64         prev,
                guint16        w,
                guint16        h)
{
  gboolean bad = t[0] < prev;
  guint64 signs = (guint64) t[0];

  for (gsize i = 1; i < n; i++)
    signs |= (guint64) t[i] | ((guint64) t[i] - (guint64) t[i - 1]);
  bad |= (signs >> 63) != 0;
  for (gsize i = 0; i < n; i++)
    bad |= (x[i] >= w) | (y[i] >= h);
  return !bad;
}

/* Checks a whole chunk in one vectorisable pass; on failure, names the first
 * offending event. */
static gboolean
check_chunk (EvsRawWriter         *self,
             const EvsEventChunk  *chunk,
             GError              **error)
{
  const gsize n = chunk->n_events;
  const gint64 *t = chunk->t;
  const guint16 *x = chunk->x;
  const guint16 *y = chunk->y;
  gint64 prev = self->have_last ? self->last_t : 0;
  const EvsChunkFacts *facts = _evs_writer_get_chunk_facts (EVS_WRITER (self));

  /* Sorted and inside the sensor by what the reader saw: only the first
   * time needs a look */
  if (facts != NULL && facts->sorted && facts->max_x < self->width
      && facts->max_y < self->height && t[0] >= prev && t[0] >= 0)
    return TRUE;

  if (G_LIKELY (chunk_is_clean (t, x, y, n, prev, (guint16) self->width, (guint16) self->height)))
    return TRUE;

  for (gsize i = 0; i < n; i++)
    {
      guint64 ordinal = self->n_done + i;

      if (t[i] < 0)
        {
          g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                       "Cannot write event #%" G_GUINT64_FORMAT " to RAW: its time %"
                       G_GINT64_FORMAT " µs is negative", ordinal, t[i]);
          return FALSE;
        }
      if (t[i] < prev)
        {
          g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                       "Cannot write event #%" G_GUINT64_FORMAT " to RAW: its time %"
                       G_GINT64_FORMAT " µs is before the previous event's (%" G_GINT64_FORMAT
                       " µs); RAW needs events sorted by time (a “monotonic” filter stage drops "
                       "those that go back)", ordinal, t[i], prev);
          return FALSE;
        }
      if (x[i] >= self->width || y[i] >= self->height)
        {
          g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                       "Cannot write event #%" G_GUINT64_FORMAT " to RAW: (%u, %u) is outside "
                       "the %u×%u sensor", ordinal, x[i], y[i], self->width, self->height);
          return FALSE;
        }
      prev = t[i];
    }

  return TRUE;
}

static gboolean
gap_error (EvsRawWriter  *self,
           gint64         t,
           GError       **error)
{
  g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
               "Cannot write the event at %" G_GINT64_FORMAT " µs to %s RAW: the gap since "
               "%" G_GINT64_FORMAT " µs spans too many time loops",
               t, format_name (self->format), self->last_t);
  return FALSE;
}

/* EVT 2.x TIME_HIGH words up to the full count @target (t >> 6). */
static gboolean
emit_time_high_evt2 (EvsRawWriter  *self,
                     gint64         target,
                     GError       **error)
{
  gint64 cur = self->cur_th;
  const guint word = self->format == EVS_FORMAT_EVT21 ? 8 : 4;
  const guint hi_at = self->format == EVS_FORMAT_EVT21 ? 4 : 0;
  guint32 values[3];
  guint n_values = 0;

  if (cur < 0 && target >> 28 != 0 && target >> 28 <= MAX_LOOPS_IN_GAP)
    {
      /* Start from TIME_HIGH 0 and walk the loops, so that readers get the
       * absolute time */
      memset (self->buffer + self->len, 0, word);
      put_u32 (self->buffer + self->len + hi_at, 0x80000000u);
      self->len += word;
      cur = 0;
    }
  if (cur >= 0 && (target >> 28) - (cur >> 28) > MAX_LOOPS_IN_GAP)
    return gap_error (self, target << 6, error);

  while (cur >= 0 && (target >> 28) > (cur >> 28))
    {
      n_values = 0;
      if ((cur & EVT2_TH_MASK) != EVT2_TH_MASK)
        values[n_values++] = EVT2_TH_MASK;
      values[n_values++] = 0;
      cur = ((cur >> 28) + 1) << 28;
      for (guint i = 0; i < n_values; i++)
        {
          if (self->len >= BUFFER_SIZE && !flush (self, error))
            return FALSE;
          memset (self->buffer + self->len, 0, word);
          put_u32 (self->buffer + self->len + hi_at, 0x80000000u | values[i]);
          self->len += word;
        }
    }

  if (cur != target)
    {
      if (self->len >= BUFFER_SIZE && !flush (self, error))
        return FALSE;
      memset (self->buffer + self->len, 0, word);
      put_u32 (self->buffer + self->len + hi_at, 0x80000000u | (guint32) (target & EVT2_TH_MASK));
      self->len += word;
    }

  self->cur_th = target;
  return TRUE;
}

/* EVT 3.0 TIME_HIGH words up to the full count @target (t >> 12). */
static gboolean
emit_time_high_evt3 (EvsRawWriter  *self,
                     gint64         target,
                     GError       **error)
{
  gint64 cur = self->cur_th;

  if (cur < 0 && target >> 12 != 0 && target >> 12 <= MAX_LOOPS_IN_GAP)
    {
      /* Start from TIME_HIGH 0 and walk the loops, so that readers get the
       * absolute time */
      put_u16 (self->buffer + self->len, 0x8000);
      self->len += 2;
      cur = 0;
    }

  if (cur < 0)
    {
      put_u16 (self->buffer + self->len, 0x8000 | (guint16) (target & 0xFFF));
      self->len += 2;
    }
  else
    {
      if ((target - cur) >> 12 > MAX_LOOPS_IN_GAP)
        return gap_error (self, target << 12, error);

      while (cur < target)
        {
          gint64 rest = target - cur;
          gint64 low = cur & 0xFFF;

          if (rest <= 4096 || low == 0xFFF)
            cur++;
          else
            cur += MIN (2047, 0xFFF - low);

          if (self->len >= BUFFER_SIZE && !flush (self, error))
            return FALSE;
          put_u16 (self->buffer + self->len, 0x8000 | (guint16) (cur & 0xFFF));
          self->len += 2;
        }
    }

  self->cur_th = target;
  self->cur_tl = 0; /* a new TIME_HIGH resets TIME_LOW in readers */
  return TRUE;
}

static gboolean
write_evt2 (EvsRawWriter         *self,
            const EvsEventChunk  *chunk,
            GError              **error)
{
  const gsize n = chunk->n_events;
  const gint64 *ct = chunk->t;
  const guint16 *cx = chunk->x;
  const guint16 *cy = chunk->y;
  const guint8 *cp = chunk->p;
  gint64 cur_th = self->cur_th;
  gsize i = 0;

  while (i < n)
    {
      guint8 *out;
      gsize room;
      gsize end;

      if (self->len + 64 >= BUFFER_SIZE && !flush (self, error))
        return FALSE;
      out = self->buffer + self->len;
      room = (BUFFER_SIZE - self->len) / 4;
      end = i + MIN (room, n - i);

      for (; i < end; i++)
        {
          gint64 t = ct[i];

          if (G_UNLIKELY ((t >> 6) != cur_th))
            {
              self->len = (gsize) (out - self->buffer);
              if (!emit_time_high_evt2 (self, t >> 6, error))
                return FALSE;
              cur_th = t >> 6;
              i++;
              out = self->buffer + self->len;
              put_u32 (out, (guint32) (cp[i - 1] != 0) << 28 | (guint32) (t & 63) << 22
                            | (guint32) cx[i - 1] << 11 | cy[i - 1]);
              out += 4;
              break;
            }
          put_u32 (out, (guint32) (cp[i] != 0) << 28 | (guint32) (t & 63) << 22
                        | (guint32) cx[i] << 11 | cy[i]);
          out += 4;
        }
      self->len = (gsize) (out - self->buffer);
      if (self->len >= BUFFER_SIZE && !flush (self, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
write_evt21 (EvsRawWriter         *self,
             const EvsEventChunk  *chunk,
             GError              **error)
{
  const gsize n = chunk->n_events;
  const gint64 *ct = chunk->t;
  const guint16 *cx = chunk->x;
  const guint16 *cy = chunk->y;
  const guint8 *cp = chunk->p;
  gsize i = 0;

  while (i < n)
    {
      gint64 t = ct[i];
      guint16 y = cy[i];
      guint8 p = cp[i];
      guint xb = cx[i] & ~31u;
      guint32 mask = 1u << (cx[i] & 31);
      gsize j = i + 1;
      guint8 *out;

      if (G_UNLIKELY ((t >> 6) != self->cur_th) && !emit_time_high_evt2 (self, t >> 6, error))
        return FALSE;

      while (j < n && ct[j] == t && cy[j] == y && cp[j] == p
             && (cx[j] & ~31u) == xb && cx[j] > cx[j - 1])
        mask |= 1u << (cx[j++] & 31);

      out = self->buffer + self->len;
      put_u32 (out, mask);
      put_u32 (out + 4, (guint32) (p != 0) << 28 | (guint32) (t & 63) << 22
                        | (guint32) xb << 11 | y);
      self->len += 8;
      if (self->len >= BUFFER_SIZE && !flush (self, error))
        return FALSE;
      i = j;
    }

  return TRUE;
}

#if defined (__x86_64__) && defined (__GNUC__)
#define HAVE_EVT3_BLOCK_ENCODER 1
#include <immintrin.h>

#define EVT3_BLOCK_TARGET "avx512f,avx512bw,avx512vl,avx512vbmi2,bmi2,popcnt"

/*
 * Encodes events [i, i + 16) as the scalar loop of write_evt3() would, when
 * none of them needs a TIME_HIGH word or starts a vector group: each event
 * is [TIME_LOW] [ADDR_Y] EVT_ADDR_X, the first two only when they change
 * the readers' state.  The 48 candidate words are interleaved with two
 * permutes and the wanted ones packed with vpcompressw.  When an event
 * may start a vector group, only the events before it are encoded: a pair
 * (same time, row and polarity, the second 1 to 31 columns right) that a
 * third event does not continue becomes vector words only when the
 * readers' vector base is already at its first column, so other pairs are
 * single events here too.  Event
 * i + 16 must exist (the burst test of lane 15 looks at it) and 128 bytes
 * must be writable at @out.  Returns how many events were encoded (0 when
 * the first one needs the scalar loop), where the output goes on, and the
 * readers' time low and row after them: by value, so that the caller's
 * locals need not live in memory (its scalar loop would wait on them).
 */
typedef struct
{
  guint   n;
  guint32 cur_tl;
  gint32  cur_y;
  guint8 *out;
} Evt3Encoded;

/* GCC 12 warns of the undefined upper lanes its own intrinsics leave
 * (GCC bug 105593, fixed in 13) */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
__attribute__ ((target (EVT3_BLOCK_TARGET)))
static Evt3Encoded
encode_evt3_block (const gint64  *ct,
                   const guint16 *cx,
                   const guint16 *cy,
                   const guint8  *cp,
                   gsize          i,
                   gint64         cur_th,
                   guint32        cur_tl,
                   gint32         cur_y,
                   gint32         cur_bx,
                   guint32        cur_vpol,
                   guint8        *out)
{
  /* output word k is lane k / 3 of TIME_LOW (0–15), ADDR_Y (16–31) or
   * EVT_ADDR_X (32–47) for k % 3 = 0, 1, 2 */
  static const guint16 perm[48] = {
     0, 16, 32,  1, 17, 33,  2, 18, 34,  3, 19, 35,  4, 20, 36,  5, 21, 37,
     6, 22, 38,  7, 23, 39,  8, 24, 40,  9, 25, 41, 10, 26, 42, 11, 27, 43,
    12, 28, 44, 13, 29, 45, 14, 30, 46, 15, 31, 47
  };
  /* lane j takes lane j - 1 (lane 0 is patched with the current state) */
  static const guint16 up[16] = { 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14 };
  __m512i t0, t1, n0, n1;
  __m256i tl, x, y, p, nx, ny, np, prev_tl, prev_y, tl_w, y_w, x_w, pol;
  __m512i lo, hi, w0, w1;
  __mmask16 same_t, pair, at_base, burst, tl_new, y_new, lanes;
  Evt3Encoded r = { 0, cur_tl, cur_y, out };
  guint64 take;
  guint k0, n;

  if ((ct[i] >> 12) != cur_th || (ct[i + 15] >> 12) != cur_th)
    return r;

  t0 = _mm512_loadu_si512 (ct + i);
  t1 = _mm512_loadu_si512 (ct + i + 8);
  n0 = _mm512_loadu_si512 (ct + i + 1);
  n1 = _mm512_loadu_si512 (ct + i + 9);
  x = _mm256_loadu_si256 ((const __m256i *) (cx + i));
  y = _mm256_loadu_si256 ((const __m256i *) (cy + i));
  nx = _mm256_loadu_si256 ((const __m256i *) (cx + i + 1));
  ny = _mm256_loadu_si256 ((const __m256i *) (cy + i + 1));
  p = _mm256_cvtepu8_epi16 (_mm_loadu_si128 ((const __m128i *) (cp + i)));
  np = _mm256_cvtepu8_epi16 (_mm_loadu_si128 ((const __m128i *) (cp + i + 1)));

  /* a lane may start a vector group: same time, row and polarity as the
   * next event, which lies 1 to 31 columns to the right */
  same_t = (__mmask16) (_mm512_cmpeq_epi64_mask (t0, n0)
                        | (_mm512_cmpeq_epi64_mask (t1, n1) << 8));
  pair = same_t & _mm256_cmpeq_epi16_mask (y, ny) & _mm256_cmpeq_epi16_mask (p, np)
         & _mm256_cmplt_epu16_mask (_mm256_sub_epi16 (_mm256_sub_epi16 (nx, x),
                                                       _mm256_set1_epi16 (1)),
                                    _mm256_set1_epi16 (31));
  /* lanes at the readers' vector base, with its polarity */
  at_base = 0;
  if (cur_bx >= 0 && cur_bx <= G_MAXUINT16)
    at_base = _mm256_cmpeq_epi16_mask (x, _mm256_set1_epi16 ((short) cur_bx))
              & (cur_vpol != 0 ? _mm256_test_epi16_mask (p, p) : _mm256_testn_epi16_mask (p, p));
  /* a run of three or more (the next lane pairs too; lane 15's next is
   * not loaded), or a pair at the vector base */
  burst = pair & ((pair >> 1) | 0x8000 | at_base);
  n = burst != 0 ? (guint) __builtin_ctz (burst) : 16;
  if (n == 0)
    return r;
  lanes = (__mmask16) ((1u << n) - 1);

  tl = _mm256_and_si256 (_mm256_inserti128_si256 (_mm256_castsi128_si256 (_mm512_cvtepi64_epi16 (t0)),
                                                  _mm512_cvtepi64_epi16 (t1), 1),
                         _mm256_set1_epi16 (0xFFF));
  prev_tl = _mm256_mask_set1_epi16 (_mm256_permutexvar_epi16 (_mm256_loadu_si256 ((const __m256i *) up), tl),
                                    1, (short) cur_tl);
  prev_y = _mm256_mask_set1_epi16 (_mm256_permutexvar_epi16 (_mm256_loadu_si256 ((const __m256i *) up), y),
                                   1, (short) cur_y);
  tl_new = _mm256_cmpneq_epi16_mask (tl, prev_tl) & lanes;
  y_new = _mm256_cmpneq_epi16_mask (y, prev_y) & lanes;

  tl_w = _mm256_or_si256 (tl, _mm256_set1_epi16 (0x6000));
  y_w = y;
  pol = _mm256_maskz_set1_epi16 (_mm256_cmpneq_epi16_mask (p, _mm256_setzero_si256 ()), 0x800);
  x_w = _mm256_or_si256 (_mm256_or_si256 (x, pol), _mm256_set1_epi16 (0x2000));

  lo = _mm512_inserti64x4 (_mm512_castsi256_si512 (tl_w), y_w, 1);
  hi = _mm512_castsi256_si512 (x_w);
  w0 = _mm512_permutex2var_epi16 (lo, _mm512_loadu_si512 (perm), hi);
  w1 = _mm512_permutex2var_epi16 (lo, _mm512_castsi256_si512 (_mm256_loadu_si256 ((const __m256i *) (perm + 32))), hi);

  take = _pdep_u64 (tl_new, G_GUINT64_CONSTANT (0x249249249249))
         | _pdep_u64 (y_new, G_GUINT64_CONSTANT (0x492492492492))
         | _pdep_u64 (lanes, G_GUINT64_CONSTANT (0x924924924924));
  k0 = (guint) _mm_popcnt_u32 ((guint32) take);
  _mm512_storeu_si512 (out, _mm512_maskz_compress_epi16 ((__mmask32) take, w0));
  out += k0 * 2;
  _mm256_storeu_si256 ((__m256i *) out,
                       _mm256_maskz_compress_epi16 ((__mmask16) (take >> 32),
                                                    _mm512_castsi512_si256 (w1)));
  out += _mm_popcnt_u32 ((guint32) (take >> 32)) * 2;

  r.n = n;
  r.cur_tl = (guint32) (ct[i + n - 1] & 0xFFF);
  r.cur_y = cy[i + n - 1];
  r.out = out;
  return r;
}
#pragma GCC diagnostic pop
#endif

/*
 * _evs_raw_writer_set_simd:
 *
 * Turns the AVX-512 EVT 3.0 block encoder on or off (for tests comparing it
 * with the scalar encoder); it is on by default when the CPU has it.
 * Returns: whether it is on now
 */
gboolean
_evs_raw_writer_set_simd (EvsWriter *writer,
                          gboolean   enabled)
{
  EvsRawWriter *self = (EvsRawWriter *) writer;

#ifdef HAVE_EVT3_BLOCK_ENCODER
  self->simd = enabled && _evs_simd_level () == EVS_SIMD_AVX512;
#else
  self->simd = FALSE;
#endif
  return self->simd;
}

/* The most bytes write_evt3 () writes for one event, or for one vector
 * group (which takes at least two events): TIME_LOW, ADDR_Y, VECT_BASE_X and
 * three vector words */
#define EVT3_MAX_EVENT_BYTES 12

/* The readers' state and where the output goes on, after some events */
typedef struct
{
  gsize   i;
  guint32 cur_tl;
  gint32  cur_y;
  gint32  cur_bx;
  guint32 cur_vpol;
  guint8 *out;
} Evt3Scalar;

/* Encodes events @i… before @stop (a vector group may take events up to
 * @n) while their TIME_HIGH is @cur_th, one by one.  Its own function, with
 * restrict pointers and the state by value: the output's bytes could alias
 * the events otherwise, and every store would make the compiler load them
 * again. */
static inline Evt3Scalar
encode_evt3_scalar (const gint64 *restrict  ct,
                    const guint16 *restrict cx,
                    const guint16 *restrict cy,
                    const guint8 *restrict  cp,
                    gsize                   n,
                    gsize                   i,
                    gsize                   stop,
                    gint64                  cur_th,
                    guint32                 cur_tl,
                    gint32                  cur_y,
                    gint32                  cur_bx,
                    guint32                 cur_vpol,
                    guint8 *restrict        out)
{
  Evt3Scalar r;

  while (i < stop)
    {
      const gint64 t = ct[i];
      const guint32 tl = (guint32) t & 0xFFF;
      const guint16 x = cx[i];
      const guint16 y = cy[i];
      const guint8 p = cp[i];
      const guint16 pol = p != 0 ? 0x800 : 0;

      if (G_UNLIKELY ((t >> 12) != cur_th))
        break;

      /* TIME_LOW and ADDR_Y written unconditionally, kept when they
       * change the readers' state */
      put_u16 (out, (guint16) (0x6000 | tl));
      out += (tl != cur_tl) << 1;
      cur_tl = tl;
      put_u16 (out, y);
      out += ((gint32) y != cur_y) << 1;
      cur_y = y;

      /* A burst of events with the same time, row and polarity within
       * 32 columns is written as vector words (VECT_BASE_X unless the
       * base is where the previous vectors left it, then VECT_12/VECT_8
       * words up to the last column) when that takes fewer words than
       * one EVT_ADDR_X per event, as a sensor does.  The test is one
       * well-predicted branch: most events start no burst. */
      if (i + 1 < n
          && ((ct[i + 1] == t) & (cy[i + 1] == y) & (cp[i + 1] == p)
              & ((guint) (cx[i + 1] - x - 1) < 31u)))
        {
          guint32 mask = 1u | 1u << (cx[i + 1] - x);
          gsize j = i + 2;
          guint span, n_vect, need_base;

          while (j < n && ct[j] == t && cy[j] == y && cp[j] == p
                 && cx[j] > cx[j - 1] && cx[j] < x + 32)
            mask |= 1u << (cx[j++] - x);

          span = cx[j - 1] - x + 1u;
          n_vect = (span + 11) / 12;
          need_base = (cur_bx != (gint32) x) | (cur_vpol != (guint32) (p != 0));
          if (need_base + n_vect < j - i)
            {
              /* VECT_12 words, but VECT_8 for the last ≤ 8 columns
               * (@mask has no bits from @span on) */
              guint16 w0 = (guint16) ((span <= 8 ? 0x5000 : 0x4000) | (mask & 0xFFF));
              guint16 w1 = (guint16) ((span <= 20 ? 0x5000 : 0x4000) | ((mask >> 12) & 0xFFF));
              guint16 w2 = (guint16) (0x5000 | (mask >> 24));
              guint bits = 12 * n_vect - (span - 12 * (n_vect - 1) <= 8 ? 4 : 0);

              put_u16 (out, (guint16) (0x3000 | pol | x));
              out += need_base << 1;
              put_u16 (out, w0);
              put_u16 (out + 2, w1);
              put_u16 (out + 4, w2);
              out += n_vect << 1;
              cur_vpol = (guint32) (p != 0);
              cur_bx = (gint32) (x + bits);
              i = j;
              continue;
            }
        }

      put_u16 (out, (guint16) (0x2000 | pol | x));
      out += 2;
      i++;
    }

  r.i = i;
  r.cur_tl = cur_tl;
  r.cur_y = cur_y;
  r.cur_bx = cur_bx;
  r.cur_vpol = cur_vpol;
  r.out = out;
  return r;
}

static gboolean
write_evt3 (EvsRawWriter         *self,
            const EvsEventChunk  *chunk,
            GError              **error)
{
  const gsize n = chunk->n_events;
  const gint64 *ct = chunk->t;
  const guint16 *cx = chunk->x;
  const guint16 *cy = chunk->y;
  const guint8 *cp = chunk->p;
  gint64 cur_th = self->cur_th;
  guint32 cur_tl = self->cur_tl;
  gint32 cur_y = self->cur_y;
  gint32 cur_bx = self->cur_bx;
  guint32 cur_vpol = self->cur_vpol;
  guint8 *out = self->buffer + self->len;
  gsize i = 0;
#ifdef HAVE_EVT3_BLOCK_ENCODER
  const gboolean simd = self->simd;
  gsize scalar_until = 0;
#endif

  while (i < n)
    {
      gsize room, end;

      /* One room check per block: the block's events fit in the buffer
       * (vector groups may take events beyond the block's end, but never
       * more bytes than one event may) */
      if ((gsize) (out - self->buffer) + EVT3_MAX_EVENT_BYTES > BUFFER_SIZE)
        {
          self->len = (gsize) (out - self->buffer);
          if (!flush (self, error))
            return FALSE;
          out = self->buffer;
        }
      room = (BUFFER_SIZE - (gsize) (out - self->buffer)) / EVT3_MAX_EVENT_BYTES;
      end = i + MIN (room, n - i);

      while (i < end)
        {
          Evt3Scalar r;
          gsize stop = end;

#ifdef HAVE_EVT3_BLOCK_ENCODER
          if (simd && i + 16 < n && i + 16 <= end)
            {
              if (i >= scalar_until)
                {
                  Evt3Encoded b = encode_evt3_block (ct, cx, cy, cp, i, cur_th, cur_tl, cur_y,
                                                     cur_bx, cur_vpol, out);

                  if (b.n > 0)
                    {
                      i += b.n;
                      cur_tl = b.cur_tl;
                      cur_y = b.cur_y;
                      out = b.out;
                      continue;
                    }
                  /* the scalar loop for this event (it may start a vector
                   * group), or up to the TIME_HIGH step */
                  scalar_until = (ct[i] >> 12) == cur_th ? i + 1 : i + 16;
                }
              stop = MIN (end, scalar_until);
            }
#endif

          r = encode_evt3_scalar (ct, cx, cy, cp, n, i, stop, cur_th, cur_tl, cur_y, cur_bx,
                                  cur_vpol, out);
          i = r.i;
          cur_tl = r.cur_tl;
          cur_y = r.cur_y;
          cur_bx = r.cur_bx;
          cur_vpol = r.cur_vpol;
          out = r.out;

          if (i < stop && (ct[i] >> 12) != cur_th)
            {
              /* TIME_HIGH words (any number, with their own room checks),
               * then this event again in a new block */
              self->len = (gsize) (out - self->buffer);
              if (!emit_time_high_evt3 (self, ct[i] >> 12, error))
                return FALSE;
              out = self->buffer + self->len;
              cur_th = ct[i] >> 12;
              cur_tl = 0;
              break;
            }
        }
    }

  self->len = (gsize) (out - self->buffer);
  self->cur_th = cur_th;
  self->cur_tl = cur_tl;
  self->cur_y = cur_y;
  self->cur_bx = cur_bx;
  self->cur_vpol = cur_vpol;

  return TRUE;
}

static gboolean
evs_raw_writer_write (EvsWriter            *writer,
                      const EvsEventChunk  *chunk,
                      GError              **error)
{
  EvsRawWriter *self = (EvsRawWriter *) writer;
  gboolean ok;

  if (!check_chunk (self, chunk, error))
    return FALSE;

  if (self->header != NULL && !write_header (self, chunk->t[0], error))
    return FALSE;

  if (self->origin != 0)
    {
      const EvsEventChunk *input = chunk;

      if (self->shifted == NULL)
        self->shifted = evs_event_chunk_new (input->n_events);
      evs_event_chunk_clear (self->shifted);
      evs_event_chunk_append_range (self->shifted, input, 0, input->n_events);
      for (gsize i = 0; i < self->shifted->n_events; i++)
        self->shifted->t[i] -= self->origin;
      chunk = self->shifted;
    }

  if (self->format == EVS_FORMAT_EVT2)
    ok = write_evt2 (self, chunk, error);
  else if (self->format == EVS_FORMAT_EVT21)
    ok = write_evt21 (self, chunk, error);
  else
    ok = write_evt3 (self, chunk, error);
  if (!ok)
    return FALSE;

  self->n_done += chunk->n_events;
  self->last_t = chunk->t[chunk->n_events - 1] + self->origin;
  self->have_last = TRUE;

  if (self->len >= BUFFER_SIZE)
    return flush (self, error);
  return TRUE;
}

static gboolean
evs_raw_writer_finish (EvsWriter  *writer,
                       GError    **error)
{
  EvsRawWriter *self = (EvsRawWriter *) writer;

  if (self->header != NULL && !write_header (self, 0, error))
    return FALSE;

  return flush (self, error);
}

static void
evs_raw_writer_finalize (GObject *object)
{
  EvsRawWriter *self = (EvsRawWriter *) object;

  g_clear_pointer (&self->buffer, g_free);
  if (self->header != NULL)
    g_string_free (self->header, TRUE);
  g_clear_pointer (&self->shifted, evs_event_chunk_unref);

  G_OBJECT_CLASS (evs_raw_writer_parent_class)->finalize (object);
}

static void
evs_raw_writer_class_init (EvsRawWriterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  EvsWriterClass *writer_class = EVS_WRITER_CLASS (klass);

  object_class->finalize = evs_raw_writer_finalize;

  writer_class->begin = evs_raw_writer_begin;
  writer_class->write = evs_raw_writer_write;
  writer_class->finish = evs_raw_writer_finish;
}

static void
evs_raw_writer_init (EvsRawWriter *self)
{
  self->cur_th = -1;
  self->cur_y = -1;
  self->cur_bx = -1;
  _evs_raw_writer_set_simd (EVS_WRITER (self), TRUE);
}
