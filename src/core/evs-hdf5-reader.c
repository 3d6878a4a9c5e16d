/* test-dat.c
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

#define G_LOG_DOMAIN "evs-hdf5-reader"

#include "config.h"

#include "evs-ecf.h"
#include "evs-error.h"
#include "evs-hdf5-util.h"
#include "evs-reader-private.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

/* HDF5 event files (FORMATS.md §3–§4).  The layout is recognised from the
 * datasets present:
 *
 *  - Prophesee: /CD/events compound {x u2, y u2, p i2, t i8}, ECF chunks.
 *    ECF chunks are read raw (H5Dread_chunk) and decoded by Evscope's own
 *    decoder straight into arrays, as OpenEB does: no plugin, no
 *    intermediate 16-byte records.  Other pipelines go through H5Dread
 *    (the ECF filter is registered in-process too).
 *  - DSEC: /events/{x,y,t,p} + /ms_to_idx (+ /t_offset, added to t).
 *  - RVT/eTraM: /events/{x,y,p,t} without ms_to_idx.
 *  - event_utils: /events/{xs,ys,ts,ps} (or legacy x, y, ts, p).
 *
 * Columns are read in hyperslabs with HDF5 type conversion: any integer or
 * float type; float times are seconds.  The position is the record index
 * (state[0]); position.offset scales it to the file size so that
 * evs_reader_get_fraction() works. */

#define READ_BLOCK (64 * 1024)

enum { COL_X, COL_Y, COL_T, COL_P, N_COLS };

#define EVS_TYPE_HDF5_READER (evs_hdf5_reader_get_type ())
G_DECLARE_FINAL_TYPE (EvsHdf5Reader, evs_hdf5_reader, EVS, HDF5_READER, EvsReader)

struct _EvsHdf5Reader
{
  EvsReader  parent_instance;
  char      *path;
  hid_t      file;

  /* Column layouts */
  hid_t      cols[N_COLS];
  char      *col_names[N_COLS];
  gboolean   xy_direct[2];
  gboolean   t_float;
  gboolean   p_enum;
  gboolean   p_unsigned;
  gsize      p_size;
  gboolean   p_signed;
  gint64     t_offset;

  /* Prophesee layout */
  hid_t      cd_events;
  gboolean   ecf_raw;
  guint64    chunk_len;
  guint64    cached_chunk;
  gsize      cached_n;
  gint64    *ct;
  guint16   *cx;
  guint16   *cy;
  guint8    *cp;
  guint8    *raw;
  gsize      raw_size;

  guint64    n_records;
  guint64    pos;

  /* The file's own time index: DSEC ms_to_idx or Prophesee CD/indexes */
  hid_t      time_index;
  guint64    time_index_len;
  gint64     index_offset;

  /* Staging */
  gint64    *s_x;
  gint64    *s_y;
  double    *s_t;
  guint8    *s_p;
  gpointer   s_rec;
};

G_DEFINE_FINAL_TYPE (EvsHdf5Reader, evs_hdf5_reader, EVS_TYPE_READER)

typedef struct
{
  guint16 x;
  guint16 y;
  gint16  p;
  gint64  t;
} CdRecord;

static hid_t
cd_memtype (void)
{
  hid_t type = H5Tcreate (H5T_COMPOUND, sizeof (CdRecord));

  H5Tinsert (type, "x", G_STRUCT_OFFSET (CdRecord, x), H5T_NATIVE_UINT16);
  H5Tinsert (type, "y", G_STRUCT_OFFSET (CdRecord, y), H5T_NATIVE_UINT16);
  H5Tinsert (type, "p", G_STRUCT_OFFSET (CdRecord, p), H5T_NATIVE_INT16);
  H5Tinsert (type, "t", G_STRUCT_OFFSET (CdRecord, t), H5T_NATIVE_INT64);
  return type;
}

static gboolean
read_slab (hid_t         dataset,
           hid_t         memtype,
           guint64       start,
           gsize         n,
           void         *out)
{
  hsize_t hstart = start, hcount = n;
  hid_t fspace, mspace;
  herr_t status;

  fspace = H5Dget_space (dataset);
  if (fspace < 0)
    return FALSE;
  mspace = H5Screate_simple (1, &hcount, NULL);
  H5Sselect_hyperslab (fspace, H5S_SELECT_SET, &hstart, NULL, &hcount, NULL);
  status = H5Dread (dataset, memtype, mspace, fspace, H5P_DEFAULT, out);
  H5Sclose (mspace);
  H5Sclose (fspace);
  return status >= 0;
}

/* Decodes chunk @k of /CD/events into @t, @x, @y, @p (room for @capacity ≥
 * the chunk's records); *@n_out = its number of records. */
static gboolean
decode_ecf_chunk (EvsHdf5Reader  *self,
                  guint64         k,
                  gint64         *t,
                  guint16        *x,
                  guint16        *y,
                  guint8         *p,
                  gsize           capacity,
                  gsize          *n_out,
                  GError        **error)
{
  hsize_t offset = k * self->chunk_len;
  hsize_t size = 0;
  guint32 filter_mask = 0;
  guint64 expected = MIN (self->chunk_len, self->n_records - offset);
  gsize n = 0;
  g_autoptr(GError) local_error = NULL;

  if (H5Dget_chunk_storage_size (self->cd_events, &offset, &size) < 0 || size == 0)
    {
      evs_hdf5_set_error (error, EVS_ERROR_CORRUPT,
                          "“%s”: chunk %" G_GUINT64_FORMAT " of /CD/events (records %"
                          G_GUINT64_FORMAT "…) is missing", self->path, k, (guint64) offset);
      return FALSE;
    }
  if (size > MAX (evs_ecf_encode_bound (self->chunk_len), self->chunk_len * 16) + 4096)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_CORRUPT,
                   "“%s”: chunk %" G_GUINT64_FORMAT " of /CD/events is %" G_GUINT64_FORMAT
                   " bytes, more than %" G_GUINT64_FORMAT " records can take",
                   self->path, k, (guint64) size, self->chunk_len);
      return FALSE;
    }
  if (size > self->raw_size)
    {
      g_free (self->raw);
      self->raw = g_malloc (size);
      self->raw_size = size;
    }
  if (H5Dread_chunk (self->cd_events, H5P_DEFAULT, &offset, &filter_mask, self->raw) < 0)
    {
      evs_hdf5_set_error (error, EVS_ERROR_IO,
                          "“%s”: cannot read chunk %" G_GUINT64_FORMAT " of /CD/events",
                          self->path, k);
      return FALSE;
    }

  if (filter_mask & 1)
    {
      /* The optional ECF filter was skipped: plain little-endian records. */
      n = MIN (MIN (size / 16, expected), capacity);
      for (gsize i = 0; i < n; i++)
        {
          const guint8 *r = self->raw + i * 16;

          x[i] = GUINT16_FROM_LE (*(const guint16 *) (gconstpointer) r);
          y[i] = GUINT16_FROM_LE (*(const guint16 *) (gconstpointer) (r + 2));
          p[i] = (gint16) GUINT16_FROM_LE (*(const guint16 *) (gconstpointer) (r + 4)) > 0;
          t[i] = (gint64) GUINT64_FROM_LE (*(const guint64 *) (gconstpointer) (r + 8));
        }
    }
  else if (!evs_ecf_decode (self->raw, size, t, x, y, p, capacity, &n, &local_error))
    {
      g_set_error (error, EVS_ERROR, local_error->code,
                   "“%s”: chunk %" G_GUINT64_FORMAT " of /CD/events (file records %"
                   G_GUINT64_FORMAT "…): %s", self->path, k, (guint64) offset,
                   local_error->message);
      return FALSE;
    }

  if (n < expected)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_CORRUPT,
                   "“%s”: chunk %" G_GUINT64_FORMAT " of /CD/events holds %" G_GSIZE_FORMAT
                   " events where %" G_GUINT64_FORMAT " are expected", self->path, k, n, expected);
      return FALSE;
    }
  *n_out = expected;
  return TRUE;
}

/* Decodes chunk @k into the reader's cache. */
static gboolean
load_ecf_chunk (EvsHdf5Reader  *self,
                guint64         k,
                GError        **error)
{
  gsize n = 0;

  self->cached_chunk = G_MAXUINT64;
  if (!decode_ecf_chunk (self, k, self->ct, self->cx, self->cy, self->cp, self->chunk_len, &n,
                         error))
    return FALSE;
  self->cached_chunk = k;
  self->cached_n = n;
  return TRUE;
}

static gboolean
decode_prophesee (EvsHdf5Reader  *self,
                  EvsEventChunk  *chunk,
                  GError        **error)
{
  while (evs_event_chunk_get_free (chunk) > 0 && self->pos < self->n_records)
    {
      gsize at = chunk->n_events;
      gsize want = MIN (evs_event_chunk_get_free (chunk), self->n_records - self->pos);
      gsize n;

      if (self->ecf_raw)
        {
          guint64 k = self->pos / self->chunk_len;
          gsize within = self->pos % self->chunk_len;

          if (within == 0 && k != self->cached_chunk
              && evs_event_chunk_get_free (chunk) >= self->chunk_len)
            {
              /* A whole chunk: straight into the caller's arrays */
              if (!decode_ecf_chunk (self, k, chunk->t + at, chunk->x + at, chunk->y + at,
                                     chunk->p + at, self->chunk_len, &n, error))
                return FALSE;
              chunk->n_events += n;
              self->pos += n;
              continue;
            }
          if (k != self->cached_chunk && !load_ecf_chunk (self, k, error))
            return FALSE;
          n = MIN (want, self->cached_n - within);
          memcpy (chunk->t + at, self->ct + within, n * sizeof (gint64));
          memcpy (chunk->x + at, self->cx + within, n * sizeof (guint16));
          memcpy (chunk->y + at, self->cy + within, n * sizeof (guint16));
          memcpy (chunk->p + at, self->cp + within, n);
        }
      else
        {
          CdRecord *records;
          hid_t memtype;
          gboolean ok;

          n = MIN (want, READ_BLOCK);
          if (self->s_rec == NULL)
            self->s_rec = g_new (CdRecord, READ_BLOCK);
          records = self->s_rec;
          memtype = cd_memtype ();
          ok = read_slab (self->cd_events, memtype, self->pos, n, records);
          H5Tclose (memtype);
          if (!ok)
            {
              evs_hdf5_set_error (error, EVS_ERROR_IO,
                                  "“%s”: cannot read records %" G_GUINT64_FORMAT "–%"
                                  G_GUINT64_FORMAT " of /CD/events", self->path, self->pos,
                                  self->pos + n - 1);
              return FALSE;
            }
          for (gsize i = 0; i < n; i++)
            {
              chunk->t[at + i] = records[i].t;
              chunk->x[at + i] = records[i].x;
              chunk->y[at + i] = records[i].y;
              chunk->p[at + i] = records[i].p > 0;
            }
        }
      chunk->n_events += n;
      self->pos += n;
    }
  return TRUE;
}

static gboolean
read_column (EvsHdf5Reader  *self,
             guint           col,
             hid_t           memtype,
             gsize           n,
             void           *out,
             GError        **error)
{
  if (read_slab (self->cols[col], memtype, self->pos, n, out))
    return TRUE;

  evs_hdf5_set_error (error, EVS_ERROR_IO,
                      "“%s”: cannot read records %" G_GUINT64_FORMAT "–%" G_GUINT64_FORMAT
                      " of %s", self->path, self->pos, self->pos + n - 1,
                      self->col_names[col]);
  return FALSE;
}

static inline gboolean
enum_value_positive (const guint8 *v,
                     gsize         size,
                     gboolean      is_signed)
{
  gint64 value = 0;

  switch (size)
    {
    case 1:
      value = is_signed ? *(const gint8 *) v : *v;
      break;
    case 2:
      value = is_signed ? *(const gint16 *) (gconstpointer) v : *(const guint16 *) (gconstpointer) v;
      break;
    case 4:
      value = is_signed ? *(const gint32 *) (gconstpointer) v : *(const guint32 *) (gconstpointer) v;
      break;
    default:
      value = *(const gint64 *) (gconstpointer) v;
      break;
    }
  return value > 0;
}

static gboolean
decode_columns (EvsHdf5Reader  *self,
                EvsEventChunk  *chunk,
                GError        **error)
{
  EvsReaderStats *stats = _evs_reader_get_stats_mut (EVS_READER (self));

  while (evs_event_chunk_get_free (chunk) > 0 && self->pos < self->n_records)
    {
      gsize at = chunk->n_events;
      gsize n = MIN (MIN (evs_event_chunk_get_free (chunk), READ_BLOCK),
                     self->n_records - self->pos);
      gsize j = at;

      if (self->xy_direct[0] && self->xy_direct[1] && !self->t_float && !self->p_enum)
        {
          /* The common case (DSEC, RVT): x, y and t straight into the
           * chunk, polarity and time offset fixed up in place. */
          gint64 *tt = chunk->t + at;
          guint8 *pp = chunk->p + at;
          gint64 offset = self->t_offset;

          if (!read_column (self, COL_X, H5T_NATIVE_UINT16, n, chunk->x + at, error)
              || !read_column (self, COL_Y, H5T_NATIVE_UINT16, n, chunk->y + at, error)
              || !read_column (self, COL_T, H5T_NATIVE_INT64, n, tt, error)
              || !read_column (self, COL_P, self->p_unsigned ? H5T_NATIVE_UINT8 : H5T_NATIVE_INT8,
                               n, pp, error))
            return FALSE;
          if (self->p_unsigned)
            {
              for (gsize i = 0; i < n; i++)
                pp[i] = pp[i] != 0;
            }
          else
            {
              for (gsize i = 0; i < n; i++)
                pp[i] = (gint8) pp[i] > 0;
            }
          if (offset != 0)
            {
              for (gsize i = 0; i < n; i++)
                tt[i] += offset;
            }
          chunk->n_events += n;
          self->pos += n;
          continue;
        }

      if (self->xy_direct[0]
          ? !read_column (self, COL_X, H5T_NATIVE_UINT16, n, chunk->x + at, error)
          : !read_column (self, COL_X, H5T_NATIVE_INT64, n, self->s_x, error))
        return FALSE;
      if (self->xy_direct[1]
          ? !read_column (self, COL_Y, H5T_NATIVE_UINT16, n, chunk->y + at, error)
          : !read_column (self, COL_Y, H5T_NATIVE_INT64, n, self->s_y, error))
        return FALSE;
      if (self->t_float
          ? !read_column (self, COL_T, H5T_NATIVE_DOUBLE, n, self->s_t, error)
          : !read_column (self, COL_T, H5T_NATIVE_INT64, n, chunk->t + at, error))
        return FALSE;
      if (self->p_enum)
        {
          hid_t ftype = H5Dget_type (self->cols[COL_P]);
          hid_t mtype = H5Tget_native_type (ftype, H5T_DIR_ASCEND);
          gboolean ok = read_column (self, COL_P, mtype, n, self->s_p, error);

          H5Tclose (mtype);
          H5Tclose (ftype);
          if (!ok)
            return FALSE;
        }
      else if (!read_column (self, COL_P, H5T_NATIVE_INT8, n, self->s_p, error))
        return FALSE;

      for (gsize i = 0; i < n; i++)
        {
          gint64 xv = self->xy_direct[0] ? chunk->x[at + i] : self->s_x[i];
          gint64 yv = self->xy_direct[1] ? chunk->y[at + i] : self->s_y[i];
          gint64 tv;
          guint8 pv;

          if (G_UNLIKELY (xv < 0 || xv > G_MAXUINT16 || yv < 0 || yv > G_MAXUINT16))
            {
              stats->out_of_range++;
              continue;
            }
          if (self->t_float)
            {
              double v = self->s_t[i] * 1e6;

              if (G_UNLIKELY (!isfinite (v) || fabs (v) > 9e18))
                {
                  g_set_error (error, EVS_ERROR, EVS_ERROR_CORRUPT,
                               "“%s”: record %" G_GUINT64_FORMAT " of %s holds the time %g s, "
                               "which is not a usable number of seconds", self->path,
                               self->pos + i, self->col_names[COL_T], self->s_t[i]);
                  return FALSE;
                }
              tv = (gint64) llround (v);
            }
          else
            tv = chunk->t[at + i];
          if (self->p_enum)
            pv = enum_value_positive (self->s_p + i * self->p_size, self->p_size, self->p_signed);
          else
            pv = ((gint8) self->s_p[i]) > 0;

          chunk->t[j] = tv + self->t_offset;
          chunk->x[j] = (guint16) xv;
          chunk->y[j] = (guint16) yv;
          chunk->p[j] = pv;
          j++;
        }
      chunk->n_events = j;
      self->pos += n;
    }
  return TRUE;
}

static gboolean
evs_hdf5_reader_decode (EvsReader      *reader,
                        EvsEventChunk  *chunk,
                        GError        **error)
{
  EvsHdf5Reader *self = (EvsHdf5Reader *) reader;
  gboolean ok;

  evs_hdf5_lock ();
  evs_hdf5_init ();
  if (self->cd_events >= 0)
    ok = decode_prophesee (self, chunk, error);
  else
    ok = decode_columns (self, chunk, error);
  evs_hdf5_unlock ();

  return ok;
}

static void
evs_hdf5_reader_tell (EvsReader         *reader,
                      EvsReaderPosition *position)
{
  EvsHdf5Reader *self = (EvsHdf5Reader *) reader;
  guint64 file_size = evs_reader_get_info (reader)->file_size;

  position->state[0] = self->pos;
  if (self->n_records > 0)
    position->offset = (guint64) ((double) self->pos / (double) self->n_records * (double) file_size);
  else
    position->offset = 0;
}

static gboolean
evs_hdf5_reader_restore (EvsReader                *reader,
                         const EvsReaderPosition  *position,
                         GError                  **error)
{
  EvsHdf5Reader *self = (EvsHdf5Reader *) reader;

  if (position->state[0] > self->n_records)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                   "Record %" G_GUINT64_FORMAT " is past the end of “%s” (%" G_GUINT64_FORMAT
                   " records)", position->state[0], self->path, self->n_records);
      return FALSE;
    }
  self->pos = position->state[0];
  return TRUE;
}


typedef struct
{
  guint64 id;
  gint64  ts;
} IndexRecord;

/* The time of record @r, as delivered. */
static gboolean
record_time (EvsHdf5Reader *self,
             guint64        r,
             gint64        *t)
{
  if (self->cd_events >= 0 && self->ecf_raw)
    {
      if (r / self->chunk_len != self->cached_chunk
          && !load_ecf_chunk (self, r / self->chunk_len, NULL))
        return FALSE;
      *t = self->ct[r % self->chunk_len];
      return TRUE;
    }
  if (self->cd_events >= 0)
    {
      hid_t memtype = cd_memtype ();
      CdRecord record;
      gboolean ok = read_slab (self->cd_events, memtype, r, 1, &record);

      H5Tclose (memtype);
      *t = record.t;
      return ok;
    }
  if (self->t_float)
    {
      double v;

      if (!read_slab (self->cols[COL_T], H5T_NATIVE_DOUBLE, r, 1, &v) || !isfinite (v * 1e6)
          || fabs (v * 1e6) > 9e18)
        return FALSE;
      *t = (gint64) llround (v * 1e6) + self->t_offset;
      return TRUE;
    }
  if (!read_slab (self->cols[COL_T], H5T_NATIVE_INT64, r, 1, t))
    return FALSE;
  *t += self->t_offset;
  return TRUE;
}

static gboolean
locate_locked (EvsHdf5Reader *self,
               gint64         t_us,
               guint64       *record)
{
  guint64 k;
  gint64 rel, t;

  if (self->time_index < 0 || self->time_index_len == 0)
    return FALSE;

  if (self->cd_events >= 0)
    {
      /* CD/indexes: entry k ≥ 1 is the first event with
       * t + offset ≥ (k-1)·2000 (or repeats the one before). */
      hid_t memtype;
      IndexRecord entry;
      gboolean ok;

      if (t_us > G_MAXINT64 / 2 || t_us < G_MININT64 / 2)
        return FALSE;
      rel = t_us + self->index_offset;
      if (rel < 0)
        {
          *record = 0;
          return TRUE;
        }
      k = MIN ((guint64) rel / 2000 + 1, self->time_index_len - 1);
      if (k == 0)
        return FALSE;
      memtype = H5Tcreate (H5T_COMPOUND, sizeof (IndexRecord));
      H5Tinsert (memtype, "id", G_STRUCT_OFFSET (IndexRecord, id), H5T_NATIVE_UINT64);
      H5Tinsert (memtype, "ts", G_STRUCT_OFFSET (IndexRecord, ts), H5T_NATIVE_INT64);
      ok = read_slab (self->time_index, memtype, k, 1, &entry);
      H5Tclose (memtype);
      if (!ok)
        return FALSE;
      *record = entry.id;
    }
  else
    {
      /* DSEC ms_to_idx: entry k is the first event with t ≥ k·1000. */
      if (t_us > G_MAXINT64 / 2 || t_us < G_MININT64 / 2
          || self->t_offset > G_MAXINT64 / 2 || self->t_offset < G_MININT64 / 2)
        return FALSE;
      rel = t_us - self->t_offset;
      if (rel <= 0)
        {
          *record = 0;
          return TRUE;
        }
      k = MIN ((guint64) rel / 1000, self->time_index_len - 1);
      if (!read_slab (self->time_index, H5T_NATIVE_UINT64, k, 1, record))
        return FALSE;
    }

  /* Trust the table only when it is consistent at that point. */
  if (*record > self->n_records)
    return FALSE;
  if (*record > 0 && (!record_time (self, *record - 1, &t) || t >= t_us))
    return FALSE;
  return TRUE;
}

static gboolean
evs_hdf5_reader_locate (EvsReader         *reader,
                        gint64             t_us,
                        EvsReaderPosition *position)
{
  EvsHdf5Reader *self = (EvsHdf5Reader *) reader;
  guint64 record = 0, saved = self->pos;
  gboolean ok;

  evs_hdf5_lock ();
  evs_hdf5_init ();
  ok = locate_locked (self, t_us, &record);
  H5Eclear2 (H5E_DEFAULT);
  evs_hdf5_unlock ();
  if (!ok)
    return FALSE;

  self->pos = record;
  evs_hdf5_reader_tell (reader, position);
  position->ordinal = record;
  self->pos = saved;
  return TRUE;
}

static void
evs_hdf5_reader_finalize (GObject *object)
{
  EvsHdf5Reader *self = (EvsHdf5Reader *) object;

  evs_hdf5_lock ();
  for (guint c = 0; c < N_COLS; c++)
    {
      evs_hdf5_close_id (&self->cols[c]);
      g_free (self->col_names[c]);
    }
  evs_hdf5_close_id (&self->cd_events);
  evs_hdf5_close_id (&self->time_index);
  evs_hdf5_close_id (&self->file);
  evs_hdf5_unlock ();

  g_free (self->path);
  g_free (self->ct);
  g_free (self->cx);
  g_free (self->cy);
  g_free (self->cp);
  g_free (self->raw);
  g_free (self->s_x);
  g_free (self->s_y);
  g_free (self->s_t);
  g_free (self->s_p);
  g_free (self->s_rec);

  G_OBJECT_CLASS (evs_hdf5_reader_parent_class)->finalize (object);
}

static void
evs_hdf5_reader_class_init (EvsHdf5ReaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  EvsReaderClass *reader_class = EVS_READER_CLASS (klass);

  object_class->finalize = evs_hdf5_reader_finalize;

  reader_class->decode = evs_hdf5_reader_decode;
  reader_class->tell = evs_hdf5_reader_tell;
  reader_class->restore = evs_hdf5_reader_restore;
  reader_class->locate = evs_hdf5_reader_locate;
}

static void
evs_hdf5_reader_init (EvsHdf5Reader *self)
{
  self->file = H5I_INVALID_HID;
  self->cd_events = H5I_INVALID_HID;
  self->time_index = H5I_INVALID_HID;
  for (guint c = 0; c < N_COLS; c++)
    self->cols[c] = H5I_INVALID_HID;
  self->cached_chunk = G_MAXUINT64;
}

/* Whether every component of @path (relative to the root) exists. */
static gboolean
has_object (hid_t       file,
            const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  g_autoptr(GString) sofar = g_string_new (NULL);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      htri_t exists;

      if (sofar->len > 0)
        g_string_append_c (sofar, '/');
      g_string_append (sofar, parts[i]);
      exists = H5Lexists (file, sofar->str, H5P_DEFAULT);
      if (exists <= 0)
        {
          H5Eclear2 (H5E_DEFAULT);
          return FALSE;
        }
    }
  return H5Oexists_by_name (file, path, H5P_DEFAULT) > 0;
}

/* The value of an attribute as text: strings as they are, numbers (scalar
 * or small arrays) joined with commas.  NULL for other types. */
static char *
attribute_to_string (hid_t attr)
{
  hid_t type = H5Aget_type (attr);
  hid_t space = H5Aget_space (attr);
  hssize_t n = H5Sget_simple_extent_npoints (space);
  H5T_class_t klass = H5Tget_class (type);
  char *result = NULL;

  if (n < 1 || n > 16)
    goto out;

  if (klass == H5T_STRING && n == 1)
    {
      if (H5Tis_variable_str (type) > 0)
        {
          hid_t mtype = H5Tcopy (H5T_C_S1);
          char *value = NULL;

          H5Tset_size (mtype, H5T_VARIABLE);
          H5Tset_cset (mtype, H5Tget_cset (type));
          if (H5Aread (attr, mtype, &value) >= 0 && value != NULL)
            {
              result = g_strdup (value);
              H5free_memory (value);
            }
          H5Tclose (mtype);
        }
      else
        {
          size_t size = H5Tget_size (type);
          hid_t mtype = H5Tcopy (H5T_C_S1);
          char *value;

          if (size == 0 || size > 65536)
            {
              H5Tclose (mtype);
              goto out;
            }
          value = g_malloc0 (size + 1);
          H5Tset_size (mtype, size + 1);
          if (H5Aread (attr, mtype, value) >= 0)
            result = g_strdup (value);
          g_free (value);
          H5Tclose (mtype);
        }
    }
  else if (klass == H5T_INTEGER || klass == H5T_FLOAT)
    {
      GString *s = g_string_new (NULL);
      gboolean is_float = klass == H5T_FLOAT;
      gint64 ivals[16];
      double fvals[16];

      if ((is_float ? H5Aread (attr, H5T_NATIVE_DOUBLE, fvals)
                    : H5Aread (attr, H5T_NATIVE_INT64, ivals)) < 0)
        {
          g_string_free (s, TRUE);
          goto out;
        }
      for (hssize_t i = 0; i < n; i++)
        {
          if (i > 0)
            g_string_append_c (s, ',');
          if (is_float)
            {
              char buf[G_ASCII_DTOSTR_BUF_SIZE];

              g_string_append (s, g_ascii_dtostr (buf, sizeof buf, fvals[i]));
            }
          else
            g_string_append_printf (s, "%" G_GINT64_FORMAT, ivals[i]);
        }
      result = g_string_free (s, FALSE);
    }

out:
  H5Tclose (type);
  H5Sclose (space);
  H5Eclear2 (H5E_DEFAULT);
  return result;
}

static herr_t
collect_attribute (hid_t             location,
                   const char       *name,
                   const H5A_info_t *ainfo,
                   void             *user_data)
{
  EvsRecordingInfo *info = user_data;
  hid_t attr = H5Aopen (location, name, H5P_DEFAULT);
  g_autofree char *value = NULL;

  (void) ainfo;
  if (attr < 0)
    {
      H5Eclear2 (H5E_DEFAULT);
      return 0;
    }
  value = attribute_to_string (attr);
  H5Aclose (attr);
  if (value != NULL && g_utf8_validate (name, -1, NULL) && g_utf8_validate (value, -1, NULL))
    evs_recording_info_add_header (info, name, value);
  return 0;
}

static gboolean
parse_geometry (const char *value,
                guint      *width,
                guint      *height)
{
  g_auto(GStrv) parts = NULL;
  guint64 w, h;

  if (value == NULL)
    return FALSE;
  parts = g_strsplit_set (value, "x,", -1);
  if (g_strv_length (parts) != 2
      || !g_ascii_string_to_unsigned (g_strstrip (parts[0]), 10, 1, 1 << 16, &w, NULL)
      || !g_ascii_string_to_unsigned (g_strstrip (parts[1]), 10, 1, 1 << 16, &h, NULL))
    return FALSE;
  *width = (guint) w;
  *height = (guint) h;
  return TRUE;
}

static gboolean
read_scalar_int (hid_t       file,
                 const char *name,
                 gint64     *value)
{
  hid_t ds, space;
  gboolean ok = FALSE;

  if (!has_object (file, name))
    return FALSE;
  ds = H5Dopen2 (file, name, H5P_DEFAULT);
  if (ds < 0)
    {
      H5Eclear2 (H5E_DEFAULT);
      return FALSE;
    }
  space = H5Dget_space (ds);
  if (H5Sget_simple_extent_npoints (space) == 1)
    ok = H5Dread (ds, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, value) >= 0;
  H5Sclose (space);
  H5Dclose (ds);
  H5Eclear2 (H5E_DEFAULT);
  return ok;
}

static gboolean
parse_dimension (const char *value,
                 guint      *out)
{
  guint64 v;

  if (value == NULL || !g_ascii_string_to_unsigned (value, 10, 1, 1 << 16, &v, NULL))
    return FALSE;
  *out = (guint) v;
  return TRUE;
}

static hid_t
open_dataset (EvsHdf5Reader  *self,
              const char     *name,
              GError        **error)
{
  hid_t dapl = H5Pcreate (H5P_DATASET_ACCESS);
  hid_t ds;

  /* Room for a few chunks of every column. */
  H5Pset_chunk_cache (dapl, 521, 4 * 1024 * 1024, 1.0);
  ds = H5Dopen2 (self->file, name, dapl);
  H5Pclose (dapl);
  if (ds < 0)
    evs_hdf5_set_error (error, EVS_ERROR_CORRUPT, "“%s”: cannot open dataset /%s",
                        self->path, name);
  return ds;
}

static gboolean
dataset_length (EvsHdf5Reader  *self,
                hid_t           ds,
                const char     *name,
                guint64        *length,
                GError        **error)
{
  hid_t space = H5Dget_space (ds);
  int rank = space >= 0 ? H5Sget_simple_extent_ndims (space) : -1;
  hsize_t dims[2] = { 0, 0 };

  if (rank == 1)
    H5Sget_simple_extent_dims (space, dims, NULL);
  if (space >= 0)
    H5Sclose (space);
  H5Eclear2 (H5E_DEFAULT);
  if (rank != 1)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_UNSUPPORTED,
                   "“%s”: dataset /%s has %d dimensions; Evscope reads 1-D event arrays",
                   self->path, name, rank);
      return FALSE;
    }
  *length = dims[0];
  return TRUE;
}


/* The file's own time index, when usable; failures only mean seeking
 * without it. */
static void
open_time_index (EvsHdf5Reader *self,
                 const char    *name)
{
  hid_t ds = H5Dopen2 (self->file, name, H5P_DEFAULT);
  hid_t type, space;
  gboolean ok;
  hsize_t dims = 0;

  if (ds < 0)
    {
      H5Eclear2 (H5E_DEFAULT);
      return;
    }
  type = H5Dget_type (ds);
  space = H5Dget_space (ds);
  ok = H5Sget_simple_extent_ndims (space) == 1 && H5Sget_simple_extent_dims (space, &dims, NULL) == 1;
  if (self->cd_events >= 0)
    ok = ok && H5Tget_class (type) == H5T_COMPOUND && H5Tget_member_index (type, "id") >= 0;
  else
    ok = ok && H5Tget_class (type) == H5T_INTEGER;
  H5Tclose (type);
  H5Sclose (space);
  if (ok && self->cd_events >= 0)
    {
      hid_t attr = H5Aopen (ds, "offset", H5P_DEFAULT);
      g_autofree char *value = attr >= 0 ? attribute_to_string (attr) : NULL;

      if (attr >= 0)
        H5Aclose (attr);
      ok = value != NULL && g_ascii_string_to_signed (value, 10, G_MININT64 / 2, G_MAXINT64 / 2,
                                                      &self->index_offset, NULL);
    }
  ok = ok && evs_hdf5_check_filters (ds, self->path, name, NULL);
  H5Eclear2 (H5E_DEFAULT);
  if (!ok)
    {
      H5Dclose (ds);
      return;
    }
  self->time_index = ds;
  self->time_index_len = dims;
}

static gboolean
open_prophesee (EvsHdf5Reader     *self,
                EvsRecordingInfo  *info,
                GError           **error)
{
  hid_t type, dcpl;
  const char *members[] = { "x", "y", "p", "t" };
  int n_filters;
  gboolean only_ecf;
  hsize_t chunk_dim = 0;
  const char *value;

  self->cd_events = open_dataset (self, "CD/events", error);
  if (self->cd_events < 0)
    return FALSE;
  type = H5Dget_type (self->cd_events);
  if (H5Tget_class (type) != H5T_COMPOUND)
    {
      H5Tclose (type);
      g_set_error (error, EVS_ERROR, EVS_ERROR_UNSUPPORTED,
                   "“%s”: /CD/events is not a compound dataset", self->path);
      return FALSE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    {
      if (H5Tget_member_index (type, members[i]) < 0)
        {
          H5Tclose (type);
          H5Eclear2 (H5E_DEFAULT);
          g_set_error (error, EVS_ERROR, EVS_ERROR_UNSUPPORTED,
                       "“%s”: /CD/events records have no field “%s”", self->path, members[i]);
          return FALSE;
        }
    }
  H5Tclose (type);

  if (!dataset_length (self, self->cd_events, "CD/events", &self->n_records, error))
    return FALSE;

  dcpl = H5Dget_create_plist (self->cd_events);
  n_filters = H5Pget_nfilters (dcpl);
  only_ecf = n_filters == 1 && H5Pget_layout (dcpl) == H5D_CHUNKED
             && H5Pget_chunk (dcpl, 1, &chunk_dim) == 1;
  if (only_ecf)
    {
      unsigned int flags;
      size_t n_cd = 0;
      unsigned int config;

      only_ecf = H5Pget_filter2 (dcpl, 0, &flags, &n_cd, NULL, 0, NULL, &config)
                 == EVS_ECF_FILTER_ID;
    }
  H5Pclose (dcpl);
  H5Eclear2 (H5E_DEFAULT);

  if (only_ecf)
    {
      if (chunk_dim == 0 || chunk_dim > EVS_ECF_MAX_EVENTS)
        {
          g_set_error (error, EVS_ERROR, EVS_ERROR_CORRUPT,
                       "“%s”: /CD/events has ECF chunks of %" G_GUINT64_FORMAT
                       " records; ECF holds 1 to 65535", self->path, (guint64) chunk_dim);
          return FALSE;
        }
      self->ecf_raw = TRUE;
      self->chunk_len = chunk_dim;
      self->ct = g_new (gint64, chunk_dim);
      self->cx = g_new (guint16, chunk_dim);
      self->cy = g_new (guint16, chunk_dim);
      self->cp = g_new (guint8, chunk_dim);
    }
  else if (!evs_hdf5_check_filters (self->cd_events, self->path, "/CD/events", error))
    return FALSE;

  if (has_object (self->file, "CD/indexes"))
    open_time_index (self, "CD/indexes");

  info->format = EVS_FORMAT_PROPHESEE_HDF5;
  H5Aiterate2 (self->file, H5_INDEX_NAME, H5_ITER_NATIVE, NULL, collect_attribute, info);
  H5Eclear2 (H5E_DEFAULT);

  if (parse_geometry (evs_recording_info_lookup (info, "geometry"), &info->width, &info->height))
    info->geometry_known = TRUE;
  else
    info->detail = g_strdup ("The file states no geometry (root attribute “geometry”); "
                             "the sensor size is taken from the events");

  value = evs_recording_info_lookup (info, "time_shift");
  if (value != NULL)
    g_ascii_string_to_signed (value, 10, G_MININT64, G_MAXINT64, &info->time_shift_us, NULL);

  return TRUE;
}

static gboolean
open_column (EvsHdf5Reader  *self,
             guint           col,
             const char     *name,
             GError        **error)
{
  hid_t type;
  H5T_class_t klass;

  self->cols[col] = open_dataset (self, name, error);
  if (self->cols[col] < 0)
    return FALSE;
  self->col_names[col] = g_strconcat ("/", name, NULL);

  type = H5Dget_type (self->cols[col]);
  klass = H5Tget_class (type);

  if (col == COL_P && klass == H5T_ENUM)
    {
      hid_t super = H5Tget_super (type);

      self->p_enum = TRUE;
      self->p_size = H5Tget_size (super);
      self->p_signed = H5Tget_sign (super) == H5T_SGN_2;
      H5Tclose (super);
      if (self->p_size != 1 && self->p_size != 2 && self->p_size != 4 && self->p_size != 8)
        klass = H5T_NO_CLASS;
    }
  else if (klass == H5T_INTEGER && (col == COL_X || col == COL_Y))
    self->xy_direct[col] = H5Tget_size (type) <= 2 && H5Tget_sign (type) == H5T_SGN_NONE;
  else if (klass == H5T_FLOAT && col == COL_T)
    self->t_float = TRUE;
  else if (klass == H5T_INTEGER && col == COL_P)
    self->p_unsigned = H5Tget_sign (type) == H5T_SGN_NONE;
  H5Tclose (type);
  H5Eclear2 (H5E_DEFAULT);

  if (klass != H5T_INTEGER && klass != H5T_FLOAT && !(col == COL_P && klass == H5T_ENUM))
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_UNSUPPORTED,
                   "“%s”: dataset /%s holds neither integers nor floating-point numbers",
                   self->path, name);
      return FALSE;
    }

  return evs_hdf5_check_filters (self->cols[col], self->path, self->col_names[col], error);
}

static void
columns_geometry (EvsHdf5Reader    *self,
                  EvsRecordingInfo *info)
{
  gint64 w = 0, h = 0;
  const char *value;

  /* RVT: /events/width, /events/height scalars */
  if (read_scalar_int (self->file, "events/width", &w) && read_scalar_int (self->file, "events/height", &h)
      && w > 0 && h > 0 && w <= 65536 && h <= 65536)
    {
      info->width = (guint) w;
      info->height = (guint) h;
      info->geometry_known = TRUE;
      return;
    }

  if (parse_dimension (evs_recording_info_lookup (info, "width"), &info->width)
      && parse_dimension (evs_recording_info_lookup (info, "height"), &info->height))
    {
      info->geometry_known = TRUE;
      return;
    }

  if (parse_geometry (evs_recording_info_lookup (info, "geometry"), &info->width, &info->height))
    {
      info->geometry_known = TRUE;
      return;
    }

  value = evs_recording_info_lookup (info, "sensor_resolution");
  if (value == NULL)
    value = evs_recording_info_lookup (info, "sensor_size");
  if (value != NULL)
    {
      guint a, b;

      if (parse_geometry (value, &a, &b))
        {
          /* event_utils stores (height, width) by convention but writes
           * whatever it was given: check against the first events. */
          gsize n = MIN (self->n_records, READ_BLOCK);
          gint64 max_x = -1, max_y = -1;

          if (n > 0 && read_slab (self->cols[COL_X], H5T_NATIVE_INT64, 0, n, self->s_x)
              && read_slab (self->cols[COL_Y], H5T_NATIVE_INT64, 0, n, self->s_y))
            {
              for (gsize i = 0; i < n; i++)
                {
                  max_x = MAX (max_x, self->s_x[i]);
                  max_y = MAX (max_y, self->s_y[i]);
                }
            }
          H5Eclear2 (H5E_DEFAULT);
          if (max_x < b && max_y < a)
            {
              info->width = b;
              info->height = a;
            }
          else
            {
              info->width = a;
              info->height = b;
            }
          info->geometry_known = TRUE;
          return;
        }
    }

  info->width = 0;
  info->height = 0;
  info->geometry_known = FALSE;
  info->detail = g_strdup ("The file states no geometry; the sensor size is taken from the events");
}

static gboolean
open_columns (EvsHdf5Reader     *self,
              EvsRecordingInfo  *info,
              EvsFormat          format,
              const char * const names[N_COLS],
              GError           **error)
{
  guint64 lengths[N_COLS];

  for (guint c = 0; c < N_COLS; c++)
    {
      if (!open_column (self, c, names[c], error)
          || !dataset_length (self, self->cols[c], names[c], &lengths[c], error))
        return FALSE;
    }
  for (guint c = 1; c < N_COLS; c++)
    {
      if (lengths[c] != lengths[0])
        {
          g_set_error (error, EVS_ERROR, EVS_ERROR_CORRUPT,
                       "“%s”: datasets %s (%" G_GUINT64_FORMAT " records) and %s (%"
                       G_GUINT64_FORMAT " records) differ in length", self->path,
                       self->col_names[0], lengths[0], self->col_names[c], lengths[c]);
          return FALSE;
        }
    }
  self->n_records = lengths[0];

  self->s_x = g_new (gint64, READ_BLOCK);
  self->s_y = g_new (gint64, READ_BLOCK);
  self->s_t = g_new (double, READ_BLOCK);
  self->s_p = g_new (guint8, READ_BLOCK * 8);

  info->format = format;
  H5Aiterate2 (self->file, H5_INDEX_NAME, H5_ITER_NATIVE, NULL, collect_attribute, info);
  H5Eclear2 (H5E_DEFAULT);
  if (has_object (self->file, "events"))
    {
      hid_t group = H5Oopen (self->file, "events", H5P_DEFAULT);

      if (group >= 0)
        {
          H5Aiterate2 (group, H5_INDEX_NAME, H5_ITER_NATIVE, NULL, collect_attribute, info);
          H5Oclose (group);
        }
      H5Eclear2 (H5E_DEFAULT);
    }

  if (format == EVS_FORMAT_DSEC_HDF5 && has_object (self->file, "t_offset"))
    {
      if (!read_scalar_int (self->file, "t_offset", &self->t_offset))
        {
          g_set_error (error, EVS_ERROR, EVS_ERROR_CORRUPT,
                       "“%s”: /t_offset is not a scalar integer", self->path);
          return FALSE;
        }
    }

  if (format == EVS_FORMAT_DSEC_HDF5)
    open_time_index (self, "ms_to_idx");

  columns_geometry (self, info);
  return TRUE;
}

static EvsReader *
open_locked (const char  *path,
             GError     **error)
{
  g_autoptr(EvsHdf5Reader) self = NULL;
  EvsRecordingInfo *info;
  GStatBuf st;
  static const char * const dsec_names[N_COLS] = { "events/x", "events/y", "events/t", "events/p" };
  static const char * const eu_names[N_COLS] = { "events/xs", "events/ys", "events/ts", "events/ps" };
  static const char * const eu_legacy_names[N_COLS] = { "events/x", "events/y", "events/ts", "events/p" };

  evs_hdf5_init ();

  self = g_object_new (EVS_TYPE_HDF5_READER, NULL);
  info = _evs_reader_get_info_mut (EVS_READER (self));
  self->path = g_strdup (path);

  if (g_stat (path, &st) != 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Cannot open “%s”: %s", path, g_strerror (errsv));
      return NULL;
    }
  info->file_size = st.st_size;

  self->file = H5Fopen (path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (self->file < 0)
    {
      evs_hdf5_set_error (error, EVS_ERROR_CORRUPT, "“%s” is not a readable HDF5 file", path);
      return NULL;
    }

  if (has_object (self->file, "CD/events"))
    {
      if (!open_prophesee (self, info, error))
        return NULL;
    }
  else if (has_object (self->file, "events/xs") && has_object (self->file, "events/ys")
           && has_object (self->file, "events/ts") && has_object (self->file, "events/ps"))
    {
      if (!open_columns (self, info, EVS_FORMAT_EVENT_UTILS_HDF5, eu_names, error))
        return NULL;
    }
  else if (has_object (self->file, "events/x") && has_object (self->file, "events/y")
           && has_object (self->file, "events/ts") && has_object (self->file, "events/p"))
    {
      if (!open_columns (self, info, EVS_FORMAT_EVENT_UTILS_HDF5, eu_legacy_names, error))
        return NULL;
    }
  else if (has_object (self->file, "events/x") && has_object (self->file, "events/y")
           && has_object (self->file, "events/t") && has_object (self->file, "events/p"))
    {
      EvsFormat format = has_object (self->file, "ms_to_idx") ? EVS_FORMAT_DSEC_HDF5
                                                               : EVS_FORMAT_RVT_HDF5;

      if (!open_columns (self, info, format, dsec_names, error))
        return NULL;
    }
  else
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_UNKNOWN_FORMAT,
                   "“%s” is an HDF5 file without a known event layout (looked for /CD/events, "
                   "/events/{x,y,t,p}, /events/{xs,ys,ts,ps})", path);
      return NULL;
    }

  return EVS_READER (g_steal_pointer (&self));
}

EvsReader *
_evs_hdf5_reader_new (const char  *path,
                      GError     **error)
{
  EvsReader *reader;

  evs_hdf5_lock ();
  reader = open_locked (path, error);
  evs_hdf5_unlock ();

  return reader;
}
