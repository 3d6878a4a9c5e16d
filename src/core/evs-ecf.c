/* evs-ecf.c
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

#define G_LOG_DOMAIN "evs-ecf"

#include "config.h"

#include "evs-ecf.h"
#include "evs-error.h"

#include <hdf5.h>
#include <string.h>

/* ECF (FORMATS.md §3.3): u32 header N<<2 | PYXP<<1 | PXP, u64 t0, then a
 * timestamp section (nibble deltas and run lengths), then either 24-bit
 * packed y/x/p or run-length ys followed by 12-bit packed x/p or masked xs
 * and run-length ps.  All little-endian.  Every read below is bounds
 * checked; malformed blocks give an error naming the byte. */

G_STATIC_ASSERT (sizeof (EvsEcfEvent) == 16);

#define HEADER_SIZE 12

static inline guint16
get_u16 (const guint8 *p)
{
  guint16 v;

  memcpy (&v, p, 2);
  return GUINT16_FROM_LE (v);
}

static inline guint32
get_u32 (const guint8 *p)
{
  guint32 v;

  memcpy (&v, p, 4);
  return GUINT32_FROM_LE (v);
}

static inline void
put_u16 (guint8  *p,
         guint16  v)
{
  p[0] = v & 0xFF;
  p[1] = v >> 8;
}

static inline void
put_u32 (guint8  *p,
         guint32  v)
{
  p[0] = v & 0xFF;
  p[1] = (v >> 8) & 0xFF;
  p[2] = (v >> 16) & 0xFF;
  p[3] = v >> 24;
}

static gboolean
corrupt (GError     **error,
         gsize        at,
         const char  *what)
{
  g_set_error (error, EVS_ERROR, EVS_ERROR_CORRUPT,
               "Corrupt ECF block at byte %" G_GSIZE_FORMAT ": %s", at, what);
  return FALSE;
}

static guint8 mask_offsets[32][5];
static guint8 mask_counts[32];

static void
init_mask_tables (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      for (guint m = 0; m < 32; m++)
        {
          guint k = 0;

          for (guint j = 0; j < 5; j++)
            {
              if (m & (1u << (4 - j)))
                mask_offsets[m][k++] = j + 1;
            }
          mask_counts[m] = k;
        }
      g_once_init_leave (&once, 1);
    }
}

/**
 * evs_ecf_peek_count:
 *
 * Reads the number of events a block holds from its header.
 */
gboolean
evs_ecf_peek_count (const guint8  *in,
                    gsize          len,
                    gsize         *n_events,
                    GError       **error)
{
  guint32 header;

  if (len < HEADER_SIZE)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_TRUNCATED,
                   "ECF block of %" G_GSIZE_FORMAT " bytes is shorter than its 12-byte header",
                   len);
      return FALSE;
    }
  header = get_u32 (in);
  if ((header >> 2) > EVS_ECF_MAX_EVENTS)
    return corrupt (error, 0, "the header declares more than 65535 events");
  if ((header & 3) == 3)
    return corrupt (error, 0, "the header sets both packing modes");
  *n_events = header >> 2;
  return TRUE;
}

/**
 * evs_ecf_decode:
 * @in: one ECF block
 * @len: its size in bytes
 * @t, @x, @y, @p: arrays of at least @max_events elements
 * @n_events: (out): events decoded
 *
 * Decodes a block to arrays.  Polarities are 0 or 1.
 */
gboolean
evs_ecf_decode (const guint8  *in,
                gsize          len,
                gint64        *t,
                guint16       *x,
                guint16       *y,
                guint8        *p,
                gsize          max_events,
                gsize         *n_events,
                GError       **error)
{
  guint32 header;
  gsize n, i, pos;
  guint64 cur;

  if (!evs_ecf_peek_count (in, len, &n, error))
    return FALSE;
  if (n > max_events)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_CORRUPT,
                   "Corrupt ECF block at byte 0: it declares %" G_GSIZE_FORMAT
                   " events, more than the %" G_GSIZE_FORMAT " expected", n, max_events);
      return FALSE;
    }
  header = get_u32 (in);
  cur = (guint64) get_u32 (in + 4) | (guint64) get_u32 (in + 8) << 32;
  pos = HEADER_SIZE;

  /* Timestamps */
  i = 0;
  while (i < n)
    {
      guint b, c;

      if (G_UNLIKELY (pos >= len))
        return corrupt (error, pos, "the timestamps end early");
      b = in[pos];
      if (G_UNLIKELY ((b >> 4) == 15))
        {
          guint64 dt = 0;
          guint j = 0;

          while ((b >> 4) == 15)
            {
              if (j >= 16)
                return corrupt (error, pos, "a time delta has more than 64 bits");
              dt |= (guint64) (b & 15) << (4 * j);
              j++;
              pos++;
              if (pos >= len)
                return corrupt (error, pos, "the timestamps end inside a time delta");
              b = in[pos];
            }
          cur += dt;
          continue;
        }
      pos++;
      cur += b >> 4;
      c = b & 15;
      if (c == 15)
        {
          if (pos + 2 > len)
            return corrupt (error, pos, "the timestamps end inside a run length");
          c = get_u16 (in + pos);
          pos += 2;
        }
      if (G_UNLIKELY (c > n - i))
        return corrupt (error, pos, "a timestamp run goes past the declared event count");
      if (G_LIKELY (c <= 16 && i + 16 <= n))
        {
          /* Fixed-size stores the compiler vectorises; the extra values
           * are overwritten by the next runs. */
          for (guint k = 0; k < 16; k++)
            t[i + k] = (gint64) cur;
        }
      else
        {
          for (guint k = 0; k < c; k++)
            t[i + k] = (gint64) cur;
        }
      i += c;
    }

  if (header & 2)
    {
      gsize groups = (n + 3) / 4;

      if (len - pos < groups * 12)
        return corrupt (error, pos, "the packed coordinates end early");

      for (gsize g = 0; g < groups; g++)
        {
          const guint8 *w = in + pos + g * 12;
          guint32 w0 = get_u32 (w), w1 = get_u32 (w + 4), w2 = get_u32 (w + 8);
          guint32 v[4];
          gsize base = g * 4;

          v[0] = w0 >> 8;
          v[1] = (w0 & 0xFF) | (w1 >> 16) << 8;
          v[2] = (w1 & 0xFFFF) | (w2 >> 24) << 16;
          v[3] = w2 & 0xFFFFFF;
          if (G_LIKELY (base + 4 <= n))
            {
              for (guint k = 0; k < 4; k++)
                {
                  y[base + k] = (v[k] >> 12) & 0x7FF;
                  x[base + k] = (v[k] >> 1) & 0x7FF;
                  p[base + k] = v[k] & 1;
                }
            }
          else
            {
              for (guint k = 0; base + k < n; k++)
                {
                  y[base + k] = (v[k] >> 12) & 0x7FF;
                  x[base + k] = (v[k] >> 1) & 0x7FF;
                  p[base + k] = v[k] & 1;
                }
            }
        }
      *n_events = n;
      return TRUE;
    }

  /* Run-length ys */
  i = 0;
  while (i < n)
    {
      guint v, c;

      if (pos + 2 > len)
        return corrupt (error, pos, "the ys end early");
      v = get_u16 (in + pos);
      pos += 2;
      c = v & 31;
      if (c == 31)
        {
          if (pos + 2 > len)
            return corrupt (error, pos, "the ys end inside a run length");
          c = get_u16 (in + pos);
          pos += 2;
        }
      if (c > n - i)
        return corrupt (error, pos, "a y run goes past the declared event count");
      if (G_LIKELY (c <= 16 && i + 16 <= n))
        {
          for (guint k = 0; k < 16; k++)
            y[i + k] = v >> 5;
        }
      else
        {
          for (guint k = 0; k < c; k++)
            y[i + k] = v >> 5;
        }
      i += c;
    }

  if (header & 1)
    {
      gsize groups = (n + 3) / 4;

      if (len - pos < groups * 6)
        return corrupt (error, pos, "the packed xs and ps end early");

      for (gsize g = 0; g < groups; g++)
        {
          const guint8 *w = in + pos + g * 6;
          guint a0 = get_u16 (w), a1 = get_u16 (w + 2), a2 = get_u16 (w + 4);
          guint v[4];

          v[0] = a0 >> 4;
          v[1] = (a0 & 0xF) | (a1 >> 8) << 4;
          v[2] = (a1 & 0xFF) | (a2 >> 12) << 8;
          v[3] = a2 & 0xFFF;
          if (G_LIKELY (g * 4 + 4 <= n))
            {
              for (guint k = 0; k < 4; k++)
                {
                  x[g * 4 + k] = v[k] >> 1;
                  p[g * 4 + k] = v[k] & 1;
                }
            }
          else
            {
              for (guint k = 0; g * 4 + k < n; k++)
                {
                  x[g * 4 + k] = v[k] >> 1;
                  p[g * 4 + k] = v[k] & 1;
                }
            }
        }
      *n_events = n;
      return TRUE;
    }

  /* Masked xs */
  init_mask_tables ();
  i = 0;
  while (i < n)
    {
      guint v, m, bx;

      if (pos + 2 > len)
        return corrupt (error, pos, "the xs end early");
      v = get_u16 (in + pos);
      pos += 2;
      bx = v >> 5;
      m = v & 31;
      if (G_LIKELY (i + 6 <= n))
        {
          /* Table-driven: the set bits of the mask, highest first, give
           * bx+1 … bx+5. */
          const guint8 *offsets = mask_offsets[m];

          x[i] = bx;
          x[i + 1] = bx + offsets[0];
          x[i + 2] = bx + offsets[1];
          x[i + 3] = bx + offsets[2];
          x[i + 4] = bx + offsets[3];
          x[i + 5] = bx + offsets[4];
          i += 1 + mask_counts[m];
          continue;
        }
      x[i++] = bx;
      for (guint j = 0; j < 5; j++)
        {
          if (m & (1u << (4 - j)))
            {
              if (i >= n)
                return corrupt (error, pos, "an x mask goes past the declared event count");
              x[i++] = bx + j + 1;
            }
        }
    }

  /* Run-length ps */
  i = 0;
  while (i < n)
    {
      guint b, c;

      if (pos >= len)
        return corrupt (error, pos, "the polarities end early");
      b = in[pos++];
      c = b & 127;
      if (c == 127)
        {
          if (pos + 2 > len)
            return corrupt (error, pos, "the polarities end inside a run length");
          c = get_u16 (in + pos);
          pos += 2;
        }
      if (c > n - i)
        return corrupt (error, pos, "a polarity run goes past the declared event count");
      if (G_LIKELY (c <= 16 && i + 16 <= n))
        {
          for (guint k = 0; k < 16; k++)
            p[i + k] = b >> 7;
        }
      else
        memset (p + i, b >> 7, c);
      i += c;
    }

  *n_events = n;
  return TRUE;
}

/**
 * evs_ecf_encode_bound:
 *
 * Returns: the largest size a block of @n_events can take
 */
gsize
evs_ecf_encode_bound (gsize n_events)
{
  /* Timestamps: up to 16 delta nibbles and a run byte per event, plus two
   * bytes per long run (≥ 15 events).  Coordinates: at most 5 bytes per
   * event (run-length y, masked x, run-length p) plus long-run words. */
  return HEADER_SIZE + n_events * 17 + n_events * 5 + (n_events / 15 + 1) * 6 + 16;
}

/* Prophesee's encoder choice (FORMATS.md §3.3), with its exact sample size
 * and rounding so that blocks come out byte-identical: in the first
 * quarter of the block (all of it below 16 events), packed y/x/p unless
 * more than 20 % of consecutive events share y; else packed x/p unless
 * more than 8 % of events continue an x run (x above the previous x and at
 * most 5 past the run's first x); else masked x. */
static EvsEcfMode
choose_mode (const guint16 *x,
             const guint16 *y,
             gsize          n)
{
  gsize m = n < 16 ? n : (gsize) (0.25 * n + 0.5);
  gsize same_y_limit = (gsize) (m * 20.0 / 100 + 0.5);
  gsize near_x_limit = (gsize) (m * 8.0 / 100 + 0.5);
  gsize same_y = 0, near_x = 0;
  guint run_x;

  for (gsize i = 1; i < m && same_y <= same_y_limit; i++)
    {
      if (y[i] == y[i - 1])
        same_y++;
    }
  if (same_y <= same_y_limit)
    return EVS_ECF_MODE_PACKED_YXP;

  run_x = x[0];
  for (gsize i = 1; i < m && near_x <= near_x_limit; i++)
    {
      if (x[i] > x[i - 1] && x[i] <= run_x + 5)
        near_x++;
      else
        run_x = x[i];
    }
  if (near_x <= near_x_limit)
    return EVS_ECF_MODE_PACKED_XP;
  return EVS_ECF_MODE_MASKED_X;
}

/**
 * evs_ecf_encode:
 * @t, @x, @y, @p: @n_events time-sorted events (x, y < 2048)
 * @out: a buffer of @out_size ≥ evs_ecf_encode_bound() bytes
 * @out_len: (out): bytes written
 *
 * Encodes one block.  Times going backwards are stored as the previous time
 * (as Prophesee's encoder does); polarities other than 0 count as ON.
 */
gboolean
evs_ecf_encode (const gint64   *t,
                const guint16  *x,
                const guint16  *y,
                const guint8   *p,
                gsize           n,
                EvsEcfMode      mode,
                guint8         *out,
                gsize           out_size,
                gsize          *out_len,
                GError        **error)
{
  guint8 *o = out;
  guint64 cur;
  gsize i;

  if (n > EVS_ECF_MAX_EVENTS)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                   "An ECF block holds at most 65535 events, not %" G_GSIZE_FORMAT, n);
      return FALSE;
    }
  if (out_size < evs_ecf_encode_bound (n))
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                   "The ECF output buffer is too small");
      return FALSE;
    }
  for (i = 0; i < n; i++)
    {
      if (G_UNLIKELY (x[i] >= 2048 || y[i] >= 2048))
        {
          g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                       "ECF cannot store the event (t=%" G_GINT64_FORMAT ", x=%u, y=%u): "
                       "coordinates must be below 2048", t[i], x[i], y[i]);
          return FALSE;
        }
    }

  if (mode == EVS_ECF_MODE_AUTO)
    mode = choose_mode (x, y, n);

  put_u32 (o, (guint32) n << 2 | (mode == EVS_ECF_MODE_PACKED_YXP ? 2 : 0)
                                | (mode == EVS_ECF_MODE_PACKED_XP ? 1 : 0));
  cur = n > 0 ? (guint64) t[0] : 0;
  put_u32 (o + 4, (guint32) (cur & 0xFFFFFFFF));
  put_u32 (o + 8, (guint32) (cur >> 32));
  o += HEADER_SIZE;

  /* Timestamps: runs of equal times; a time going backwards is stored as
   * the current time. */
  i = 0;
  while (i < n)
    {
      gint64 ti = MAX (t[i], (gint64) cur);
      guint64 dt = (guint64) ti - cur;
      guint hi;
      gsize c = 1;

      while (i + c < n && t[i + c] <= ti)
        c++;
      if (dt >= 15)
        {
          while (dt > 0)
            {
              *o++ = 0xF0 | (dt & 15);
              dt >>= 4;
            }
          hi = 0;
        }
      else
        hi = (guint) dt;
      cur = (guint64) ti;
      if (c < 15)
        *o++ = (guint8) (hi << 4 | c);
      else
        {
          *o++ = (guint8) (hi << 4 | 15);
          put_u16 (o, (guint16) c);
          o += 2;
        }
      i += c;
    }

  if (mode == EVS_ECF_MODE_PACKED_YXP)
    {
      for (i = 0; i < n; i += 4)
        {
          guint32 v[4] = { 0, 0, 0, 0 };

          for (guint k = 0; k < 4 && i + k < n; k++)
            v[k] = (guint32) y[i + k] << 12 | (guint32) x[i + k] << 1 | (p[i + k] ? 1 : 0);
          put_u32 (o, v[0] << 8 | (v[1] & 0xFF));
          put_u32 (o + 4, (v[1] >> 8) << 16 | (v[2] & 0xFFFF));
          put_u32 (o + 8, (v[2] >> 16) << 24 | v[3]);
          o += 12;
        }
      *out_len = o - out;
      return TRUE;
    }

  /* Run-length ys */
  for (i = 0; i < n;)
    {
      gsize c = 1;

      while (i + c < n && y[i + c] == y[i])
        c++;
      if (c < 31)
        {
          put_u16 (o, (guint16) (y[i] << 5 | c));
          o += 2;
        }
      else
        {
          put_u16 (o, (guint16) (y[i] << 5 | 31));
          put_u16 (o + 2, (guint16) c);
          o += 4;
        }
      i += c;
    }

  if (mode == EVS_ECF_MODE_PACKED_XP)
    {
      for (i = 0; i < n; i += 4)
        {
          guint v[4] = { 0, 0, 0, 0 };

          for (guint k = 0; k < 4 && i + k < n; k++)
            v[k] = (guint) x[i + k] << 1 | (p[i + k] ? 1 : 0);
          put_u16 (o, (guint16) (v[0] << 4 | (v[1] & 0xF)));
          put_u16 (o + 2, (guint16) ((v[1] >> 4) << 8 | (v[2] & 0xFF)));
          put_u16 (o + 4, (guint16) ((v[2] >> 8) << 12 | v[3]));
          o += 6;
        }
      *out_len = o - out;
      return TRUE;
    }

  /* Masked xs: a base x, then up to 5 following events at base+1..base+5
   * in increasing order. */
  for (i = 0; i < n;)
    {
      guint bx = x[i];
      guint m = 0;
      gsize k = i + 1;

      for (guint j = 0; j < 5; j++)
        {
          if (k < n && x[k] == bx + j + 1)
            {
              m |= 1u << (4 - j);
              k++;
            }
        }
      put_u16 (o, (guint16) (bx << 5 | m));
      o += 2;
      i = k;
    }

  /* Run-length ps */
  for (i = 0; i < n;)
    {
      guint pi = p[i] ? 1 : 0;
      gsize c = 1;

      while (i + c < n && (p[i + c] ? 1 : 0) == pi)
        c++;
      if (c < 127)
        *o++ = (guint8) (pi << 7 | c);
      else
        {
          *o++ = (guint8) (pi << 7 | 127);
          put_u16 (o, (guint16) c);
          o += 2;
        }
      i += c;
    }

  *out_len = o - out;
  return TRUE;
}

/* HDF5 filter 0x8ECF, so that plain H5Dread/H5Dwrite work too (the reader
 * and writer use H5Dread_chunk/H5Dwrite_chunk directly).  Like Prophesee's
 * plugin it decodes to n × 16-byte EvsEcfEvent records. */
static size_t
ecf_filter (unsigned int        flags,
            size_t              cd_nelmts,
            const unsigned int  cd_values[],
            size_t              nbytes,
            size_t             *buf_size,
            void              **buf)
{
  g_autofree gint64 *t = NULL;
  g_autofree guint16 *x = NULL;
  g_autofree guint16 *y = NULL;
  g_autofree guint8 *p = NULL;
  gsize n;

  (void) cd_nelmts;
  (void) cd_values;

  if (flags & H5Z_FLAG_REVERSE)
    {
      EvsEcfEvent *events;

      if (!evs_ecf_peek_count (*buf, nbytes, &n, NULL))
        return 0;
      t = g_new (gint64, MAX (n, 1));
      x = g_new (guint16, MAX (n, 1));
      y = g_new (guint16, MAX (n, 1));
      p = g_new (guint8, MAX (n, 1));
      if (!evs_ecf_decode (*buf, nbytes, t, x, y, p, n, &n, NULL))
        return 0;
      events = H5allocate_memory (MAX (n, 1) * sizeof (EvsEcfEvent), FALSE);
      if (events == NULL)
        return 0;
      memset (events, 0, MAX (n, 1) * sizeof (EvsEcfEvent));
      for (gsize i = 0; i < n; i++)
        {
          events[i].x = x[i];
          events[i].y = y[i];
          events[i].p = p[i];
          events[i].t = t[i];
        }
      H5free_memory (*buf);
      *buf = events;
      *buf_size = MAX (n, 1) * sizeof (EvsEcfEvent);
      return n * sizeof (EvsEcfEvent);
    }
  else
    {
      const EvsEcfEvent *events = *buf;
      guint8 *out;
      gsize out_size, out_len;

      n = nbytes / sizeof (EvsEcfEvent);
      if (n > EVS_ECF_MAX_EVENTS || nbytes % sizeof (EvsEcfEvent) != 0)
        return 0;
      t = g_new (gint64, MAX (n, 1));
      x = g_new (guint16, MAX (n, 1));
      y = g_new (guint16, MAX (n, 1));
      p = g_new (guint8, MAX (n, 1));
      for (gsize i = 0; i < n; i++)
        {
          x[i] = events[i].x;
          y[i] = events[i].y;
          p[i] = events[i].p > 0;
          t[i] = events[i].t;
        }
      out_size = evs_ecf_encode_bound (n);
      out = H5allocate_memory (out_size, FALSE);
      if (out == NULL)
        return 0;
      if (!evs_ecf_encode (t, x, y, p, n, EVS_ECF_MODE_AUTO, out, out_size, &out_len, NULL))
        {
          H5free_memory (out);
          return 0;
        }
      H5free_memory (*buf);
      *buf = out;
      *buf_size = out_size;
      return out_len;
    }
}

/**
 * evs_ecf_register_filter:
 *
 * Registers the codec as HDF5 filter 0x8ECF in this process (once).
 */
void
evs_ecf_register_filter (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      static const H5Z_class2_t filter_class = {
        H5Z_CLASS_T_VERS,
        (H5Z_filter_t) EVS_ECF_FILTER_ID,
        1, 1,
        "ecf (Evscope)",
        NULL,
        NULL,
        ecf_filter,
      };

      if (H5Zregister (&filter_class) < 0)
        g_warning ("Cannot register the ECF filter with HDF5");
      g_once_init_leave (&once, 1);
    }
}
