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

#define G_LOG_DOMAIN "evs-hdf5-writer"

#include "config.h"

#include "evs-ecf.h"
#include "evs-error.h"
#include "evs-hdf5-util.h"
#include "evs-writer-private.h"

#include <string.h>

/* Writes the two HDF5 layouts that matter for export (FORMATS.md §3.1, §4.1):
 *
 *  - DSEC: /events/{x u2, y u2, t i8, p u1} with t relative to /t_offset
 *    (the first event's time), /ms_to_idx u8 with
 *    t[ms_to_idx[k]] >= k*1000 > t[ms_to_idx[k]-1], chunked, Blosc+Zstd when
 *    the Blosc plugin is installed (settings chosen for speed in
 *    begin_dsec()), else shuffle+deflate.
 *  - Prophesee: /CD/events {x u2, y u2, p i2, t i8} in 16384-record ECF
 *    chunks written with H5Dwrite_chunk, /CD/indexes with one entry per
 *    2000 µs, an empty /EXT_TRIGGER group and Metavision's root attributes.
 *
 * Provenance comments ("key value") become root string attributes. */

#define DSEC_CHUNK 16384
#define ECF_CHUNK 16384
#define INDEX_PERIOD_US 2000
#define BUFFERED_ROWS 16384

enum { COL_X, COL_Y, COL_T, COL_P, N_COLS };

typedef struct
{
  guint64 id;
  gint64  ts;
} IndexEntry;

struct _EvsHdf5Writer
{
  EvsWriter   parent_instance;
  hid_t       file;
  gboolean    prophesee;
  guint64     n_written;
  gboolean    have_first;
  gint64      t_first;
  gint64      t_last;

  /* DSEC */
  hid_t       cols[N_COLS];
  hid_t       ms_to_idx;
  guint64     next_ms;
  guint64    *ms_buf;
  gsize       ms_n;
  guint64     ms_written;
  gint64     *t_rel;

  /* Prophesee */
  hid_t       cd_events;
  hid_t       cd_indexes;
  gint64     *bt;
  guint16    *bx;
  guint16    *by;
  guint8     *bp;
  gsize       bn;
  guint8     *encoded;
  gsize       encoded_size;
  guint64     next_bucket;
  IndexEntry  last_entry;
  IndexEntry *ibuf;
  gsize       in;
  guint64     iwritten;
};

G_DEFINE_FINAL_TYPE (EvsHdf5Writer, evs_hdf5_writer, EVS_TYPE_WRITER)

static void
close_all (EvsHdf5Writer *self)
{
  evs_hdf5_lock ();
  for (guint c = 0; c < N_COLS; c++)
    evs_hdf5_close_id (&self->cols[c]);
  evs_hdf5_close_id (&self->ms_to_idx);
  evs_hdf5_close_id (&self->cd_events);
  evs_hdf5_close_id (&self->cd_indexes);
  evs_hdf5_close_id (&self->file);
  evs_hdf5_unlock ();
}

static gboolean
fail (EvsHdf5Writer  *self,
      GError        **error,
      const char     *what)
{
  evs_hdf5_set_error (error, EVS_ERROR_IO, "Cannot write “%s”: %s",
                      evs_writer_get_path (EVS_WRITER (self)), what);
  return FALSE;
}

static gboolean
set_string_attribute (hid_t       location,
                      const char *name,
                      const char *value)
{
  hid_t type = H5Tcopy (H5T_C_S1);
  hid_t space = H5Screate (H5S_SCALAR);
  hid_t attr;
  gboolean ok = FALSE;

  H5Tset_size (type, H5T_VARIABLE);
  H5Tset_cset (type, g_str_is_ascii (value) ? H5T_CSET_ASCII : H5T_CSET_UTF8);
  if (H5Aexists (location, name) > 0)
    H5Adelete (location, name);
  attr = H5Acreate2 (location, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  if (attr >= 0)
    {
      ok = H5Awrite (attr, type, &value) >= 0;
      H5Aclose (attr);
    }
  H5Sclose (space);
  H5Tclose (type);
  return ok;
}

static gboolean
set_int_attribute (hid_t       location,
                   const char *name,
                   gint64      value)
{
  hid_t space = H5Screate (H5S_SCALAR);
  hid_t attr = H5Acreate2 (location, name, H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT);
  gboolean ok = FALSE;

  if (attr >= 0)
    {
      ok = H5Awrite (attr, H5T_NATIVE_INT64, &value) >= 0;
      H5Aclose (attr);
    }
  H5Sclose (space);
  return ok;
}

static gboolean
write_comments (EvsHdf5Writer  *self,
                GError        **error)
{
  const char * const *comments = _evs_writer_get_comments (EVS_WRITER (self));

  for (guint i = 0; comments != NULL && comments[i] != NULL; i++)
    {
      g_autofree char *key = g_strdup (comments[i]);
      char *value = strchr (key, ' ');

      if (value != NULL)
        *value++ = '\0';
      else
        value = (char *) "";
      /* The layout's own attributes (version, geometry…) take precedence. */
      if (key[0] == '\0' || strchr (key, '/') != NULL || strcmp (key, ".") == 0
          || !g_utf8_validate (comments[i], -1, NULL) || H5Aexists (self->file, key) > 0)
        continue;
      if (!set_string_attribute (self->file, key, value))
        return fail (self, error, "cannot store a provenance attribute");
    }
  return TRUE;
}

static hid_t
create_extendible (hid_t        location,
                   const char  *name,
                   hid_t        type,
                   hsize_t      chunk,
                   hid_t        dcpl_in)
{
  hsize_t dims = 0, maxdims = H5S_UNLIMITED;
  hid_t space = H5Screate_simple (1, &dims, &maxdims);
  hid_t dcpl = dcpl_in >= 0 ? H5Pcopy (dcpl_in) : H5Pcreate (H5P_DATASET_CREATE);
  hid_t ds;

  H5Pset_chunk (dcpl, 1, &chunk);
  ds = H5Dcreate2 (location, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  H5Pclose (dcpl);
  H5Sclose (space);
  return ds;
}

static gboolean
append_rows (hid_t          ds,
             hid_t          memtype,
             guint64        at,
             gsize          n,
             const void    *data)
{
  hsize_t new_size = at + n, start = at, count = n;
  hid_t fspace, mspace;
  herr_t status;

  if (n == 0)
    return TRUE;
  if (H5Dset_extent (ds, &new_size) < 0)
    return FALSE;
  fspace = H5Dget_space (ds);
  H5Sselect_hyperslab (fspace, H5S_SELECT_SET, &start, NULL, &count, NULL);
  mspace = H5Screate_simple (1, &count, NULL);
  status = H5Dwrite (ds, memtype, mspace, fspace, H5P_DEFAULT, data);
  H5Sclose (mspace);
  H5Sclose (fspace);
  return status >= 0;
}

/* ---- DSEC ---- */

static gboolean
begin_dsec (EvsHdf5Writer  *self,
            GError        **error)
{
  const EvsRecordingInfo *info = _evs_writer_get_info (EVS_WRITER (self));
  static const char *names[N_COLS] = { "x", "y", "t", "p" };
  const hid_t types[N_COLS] = { H5T_STD_U16LE, H5T_STD_U16LE, H5T_STD_I64LE, H5T_STD_U8LE };
  hid_t group, dcpl;
  gboolean blosc;

  group = H5Gcreate2 (self->file, "events", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (group < 0)
    return fail (self, error, "cannot create /events");

  blosc = H5Zfilter_avail (EVS_HDF5_FILTER_BLOSC) > 0;
  H5Eclear2 (H5E_DEFAULT);
  for (guint c = 0; c < N_COLS; c++)
    {
      dcpl = H5Pcreate (H5P_DATASET_CREATE);
      if (blosc)
        {
          /* FORMATS.md §4.1: the plugin fills in the first four values;
           * then clevel, shuffle (1 byte, 2 bit) and compressor 5 = zstd,
           * which every Blosc reader decodes (DSEC's h5py + hdf5plugin,
           * Debian's plugin; bit shuffle needs libblosc ≥ 1.8).  DSEC's own
           * choice, clevel 5 + byte shuffle everywhere, writes only about
           * 4 M ev/s.  Bit shuffle + clevel 1 for x, y and p (it suits small
           * integers and packs p to about a bit per event) and byte
           * shuffle + clevel 3 for t (bit shuffle decodes 8-byte values
           * slowly; clevel 1 loses 10–40 % on t) write about 30 M ev/s
           * (bench-hdf5), with files −6 % to +2 % the size of DSEC's
           * settings (real fixtures and synthetic data) that read as fast. */
          unsigned int cd_values[7] = { 0, 0, 0, 0, 1, 2, 5 };

          if (c == COL_T)
            {
              cd_values[4] = 3;
              cd_values[5] = 1;
            }
          H5Pset_filter (dcpl, EVS_HDF5_FILTER_BLOSC, H5Z_FLAG_OPTIONAL, 7, cd_values);
        }
      else
        {
          H5Pset_shuffle (dcpl);
          H5Pset_deflate (dcpl, 4);
        }
      self->cols[c] = create_extendible (group, names[c], types[c], DSEC_CHUNK, dcpl);
      H5Pclose (dcpl);
      if (self->cols[c] < 0)
        {
          H5Gclose (group);
          return fail (self, error, "cannot create the event datasets");
        }
    }
  H5Gclose (group);

  self->ms_to_idx = create_extendible (self->file, "ms_to_idx", H5T_STD_U64LE, 4096, -1);
  if (self->ms_to_idx < 0)
    return fail (self, error, "cannot create /ms_to_idx");

  if (info->width > 0 && info->height > 0
      && (!set_int_attribute (self->file, "width", info->width)
          || !set_int_attribute (self->file, "height", info->height)))
    return fail (self, error, "cannot store the geometry");

  self->ms_buf = g_new (guint64, BUFFERED_ROWS);
  self->t_rel = g_new (gint64, 64 * 1024);
  return write_comments (self, error);
}

static gboolean
flush_ms (EvsHdf5Writer  *self,
          GError        **error)
{
  if (!append_rows (self->ms_to_idx, H5T_NATIVE_UINT64, self->ms_written, self->ms_n, self->ms_buf))
    return fail (self, error, "cannot write /ms_to_idx");
  self->ms_written += self->ms_n;
  self->ms_n = 0;
  return TRUE;
}

static gboolean
write_dsec (EvsHdf5Writer        *self,
            const EvsEventChunk  *chunk,
            GError              **error)
{
  const gsize block = 64 * 1024;

  if (!self->have_first)
    {
      self->have_first = TRUE;
      self->t_first = chunk->t[0];
      self->t_last = chunk->t[0];
    }

  for (gsize start = 0; start < chunk->n_events; start += block)
    {
      gsize n = MIN (block, chunk->n_events - start);
      guint64 at = self->n_written;

      for (gsize i = 0; i < n; i++)
        {
          gint64 t = chunk->t[start + i];
          gint64 rel;

          if (G_UNLIKELY (t < self->t_last))
            {
              g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                           "DSEC files need time-sorted events: event %" G_GUINT64_FORMAT
                           " (t=%" G_GINT64_FORMAT ") comes after t=%" G_GINT64_FORMAT,
                           at + i, t, self->t_last);
              return FALSE;
            }
          self->t_last = t;
          rel = t - self->t_first;
          self->t_rel[i] = rel;
          while ((gint64) self->next_ms * 1000 <= rel)
            {
              self->ms_buf[self->ms_n++] = at + i;
              self->next_ms++;
              if (self->ms_n == BUFFERED_ROWS && !flush_ms (self, error))
                return FALSE;
            }
        }

      if (!append_rows (self->cols[COL_X], H5T_NATIVE_UINT16, at, n, chunk->x + start)
          || !append_rows (self->cols[COL_Y], H5T_NATIVE_UINT16, at, n, chunk->y + start)
          || !append_rows (self->cols[COL_T], H5T_NATIVE_INT64, at, n, self->t_rel)
          || !append_rows (self->cols[COL_P], H5T_NATIVE_UINT8, at, n, chunk->p + start))
        return fail (self, error, "cannot write events");
      self->n_written += n;
    }
  return TRUE;
}

static gboolean
finish_dsec (EvsHdf5Writer  *self,
             GError        **error)
{
  hid_t space, ds;
  gint64 offset = self->have_first ? self->t_first : 0;
  gboolean ok;

  if (!flush_ms (self, error))
    return FALSE;

  space = H5Screate (H5S_SCALAR);
  ds = H5Dcreate2 (self->file, "t_offset", H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT,
                   H5P_DEFAULT);
  ok = ds >= 0 && H5Dwrite (ds, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, &offset) >= 0;
  if (ds >= 0)
    H5Dclose (ds);
  H5Sclose (space);
  if (!ok)
    return fail (self, error, "cannot write /t_offset");
  return TRUE;
}

/* ---- Prophesee ---- */

static hid_t
cd_file_type (void)
{
  hid_t type = H5Tcreate (H5T_COMPOUND, 16);

  H5Tinsert (type, "x", 0, H5T_STD_U16LE);
  H5Tinsert (type, "y", 2, H5T_STD_U16LE);
  H5Tinsert (type, "p", 4, H5T_STD_I16LE);
  H5Tinsert (type, "t", 8, H5T_STD_I64LE);
  return type;
}

static hid_t
index_file_type (void)
{
  hid_t type = H5Tcreate (H5T_COMPOUND, 16);

  H5Tinsert (type, "id", 0, H5T_STD_U64LE);
  H5Tinsert (type, "ts", 8, H5T_STD_I64LE);
  return type;
}

static hid_t
index_mem_type (void)
{
  hid_t type = H5Tcreate (H5T_COMPOUND, sizeof (IndexEntry));

  H5Tinsert (type, "id", G_STRUCT_OFFSET (IndexEntry, id), H5T_NATIVE_UINT64);
  H5Tinsert (type, "ts", G_STRUCT_OFFSET (IndexEntry, ts), H5T_NATIVE_INT64);
  return type;
}

static gboolean
begin_prophesee (EvsHdf5Writer  *self,
                 GError        **error)
{
  const EvsRecordingInfo *info = _evs_writer_get_info (EVS_WRITER (self));
  hid_t group, type, dcpl, ds;
  gboolean ok;

  /* Root attributes as Metavision writes them: "version", the camera's
   * metadata (without "evt" and "plugin_name") and "geometry". */
  if (!set_string_attribute (self->file, "version", "1.0"))
    return fail (self, error, "cannot store the root attributes");
  for (guint i = 0; info->header_keys != NULL && info->header_keys[i] != NULL; i++)
    {
      const char *key = info->header_keys[i];

      if (g_str_equal (key, "evt") || g_str_equal (key, "plugin_name")
          || g_str_equal (key, "version") || g_str_equal (key, "geometry")
          || g_str_equal (key, "end") || strchr (key, '/') != NULL || key[0] == '\0'
          || !g_utf8_validate (info->header_values[i], -1, NULL))
        continue;
      if (!set_string_attribute (self->file, key, info->header_values[i]))
        return fail (self, error, "cannot store the root attributes");
    }
  if (info->width > 0 && info->height > 0)
    {
      g_autofree char *geometry = g_strdup_printf ("%ux%u", info->width, info->height);

      if (!set_string_attribute (self->file, "geometry", geometry))
        return fail (self, error, "cannot store the geometry");
    }
  if (!write_comments (self, error))
    return FALSE;

  group = H5Gcreate2 (self->file, "CD", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (group < 0)
    return fail (self, error, "cannot create /CD");
  type = cd_file_type ();
  dcpl = H5Pcreate (H5P_DATASET_CREATE);
  H5Pset_filter (dcpl, EVS_ECF_FILTER_ID, H5Z_FLAG_OPTIONAL, 0, NULL);
  self->cd_events = create_extendible (group, "events", type, ECF_CHUNK, dcpl);
  H5Pclose (dcpl);
  H5Tclose (type);
  type = index_file_type ();
  self->cd_indexes = create_extendible (group, "indexes", type, 16384, -1);
  H5Tclose (type);
  H5Gclose (group);
  if (self->cd_events < 0 || self->cd_indexes < 0)
    return fail (self, error, "cannot create /CD/events and /CD/indexes");

  group = H5Gcreate2 (self->file, "EXT_TRIGGER", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (group < 0)
    return fail (self, error, "cannot create /EXT_TRIGGER");
  type = H5Tcreate (H5T_COMPOUND, 24);
  H5Tinsert (type, "p", 0, H5T_STD_I16LE);
  H5Tinsert (type, "t", 8, H5T_STD_I64LE);
  H5Tinsert (type, "id", 16, H5T_STD_I16LE);
  ds = create_extendible (group, "events", type, 16384, -1);
  ok = ds >= 0;
  if (ds >= 0)
    H5Dclose (ds);
  H5Tclose (type);
  type = index_file_type ();
  ds = create_extendible (group, "indexes", type, 16384, -1);
  ok = ok && ds >= 0;
  if (ds >= 0)
    H5Dclose (ds);
  H5Tclose (type);
  H5Gclose (group);
  if (!ok)
    return fail (self, error, "cannot create /EXT_TRIGGER");

  self->bt = g_new (gint64, ECF_CHUNK);
  self->bx = g_new (guint16, ECF_CHUNK);
  self->by = g_new (guint16, ECF_CHUNK);
  self->bp = g_new (guint8, ECF_CHUNK);
  self->encoded_size = evs_ecf_encode_bound (ECF_CHUNK);
  self->encoded = g_malloc (self->encoded_size);
  self->ibuf = g_new (IndexEntry, BUFFERED_ROWS);
  return TRUE;
}

static gboolean
flush_index (EvsHdf5Writer  *self,
             GError        **error)
{
  hid_t type = index_mem_type ();
  gboolean ok = append_rows (self->cd_indexes, type, self->iwritten, self->in, self->ibuf);

  H5Tclose (type);
  if (!ok)
    return fail (self, error, "cannot write /CD/indexes");
  self->iwritten += self->in;
  self->in = 0;
  return TRUE;
}

static gboolean
push_index (EvsHdf5Writer  *self,
            IndexEntry      entry,
            GError        **error)
{
  self->ibuf[self->in++] = entry;
  self->last_entry = entry;
  if (self->in == BUFFERED_ROWS)
    return flush_index (self, error);
  return TRUE;
}

static gboolean
flush_ecf_chunk (EvsHdf5Writer  *self,
                 GError        **error)
{
  hsize_t offset = self->n_written - self->bn;
  hsize_t size = self->n_written;
  gsize len = 0;

  if (self->bn == 0)
    return TRUE;
  if (!evs_ecf_encode (self->bt, self->bx, self->by, self->bp, self->bn, EVS_ECF_MODE_AUTO,
                       self->encoded, self->encoded_size, &len, error))
    return FALSE;
  if (H5Dset_extent (self->cd_events, &size) < 0
      || H5Dwrite_chunk (self->cd_events, H5P_DEFAULT, 0, &offset, len, self->encoded) < 0)
    return fail (self, error, "cannot write an ECF chunk of /CD/events");
  self->bn = 0;
  return TRUE;
}

static gboolean
write_prophesee (EvsHdf5Writer        *self,
                 const EvsEventChunk  *chunk,
                 GError              **error)
{
  if (!self->have_first)
    {
      self->have_first = TRUE;
      self->t_first = chunk->t[0];
      self->t_last = chunk->t[0];
      if (!push_index (self, (IndexEntry) { 0, -1 }, error))
        return FALSE;
      self->next_bucket = 1;
    }

  for (gsize i = 0; i < chunk->n_events; i++)
    {
      gint64 t = chunk->t[i];
      gint64 v;

      if (G_UNLIKELY (t < self->t_last))
        {
          g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                       "Prophesee HDF5 (ECF) needs time-sorted events: event %" G_GUINT64_FORMAT
                       " (t=%" G_GINT64_FORMAT ") comes after t=%" G_GINT64_FORMAT,
                       self->n_written, t, self->t_last);
          return FALSE;
        }
      if (G_UNLIKELY (chunk->x[i] >= 2048 || chunk->y[i] >= 2048))
        {
          g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                       "Prophesee HDF5 (ECF) stores coordinates below 2048, not (%u, %u) "
                       "at event %" G_GUINT64_FORMAT, chunk->x[i], chunk->y[i], self->n_written);
          return FALSE;
        }
      self->t_last = t;

      /* Entry k ≥ 1: the first event with t - t_first ≥ (k-1)·2000; an
       * empty bucket repeats the previous entry. */
      v = t - self->t_first;
      while ((gint64) (self->next_bucket - 1) * INDEX_PERIOD_US <= v)
        {
          gboolean last = (gint64) self->next_bucket * INDEX_PERIOD_US > v;
          IndexEntry entry = last ? (IndexEntry) { self->n_written, v } : self->last_entry;

          if (!last && self->next_bucket == 1)
            entry = (IndexEntry) { self->n_written, v };
          if (!push_index (self, entry, error))
            return FALSE;
          self->next_bucket++;
        }

      self->bt[self->bn] = t;
      self->bx[self->bn] = chunk->x[i];
      self->by[self->bn] = chunk->y[i];
      self->bp[self->bn] = chunk->p[i] ? 1 : 0;
      self->bn++;
      self->n_written++;
      if (self->bn == ECF_CHUNK && !flush_ecf_chunk (self, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
finish_prophesee (EvsHdf5Writer  *self,
                  GError        **error)
{
  g_autofree char *offset = g_strdup_printf ("%" G_GINT64_FORMAT,
                                             self->have_first ? -self->t_first : 0);

  if (!flush_ecf_chunk (self, error) || !flush_index (self, error))
    return FALSE;
  if (!set_string_attribute (self->cd_indexes, "offset", offset))
    return fail (self, error, "cannot store the index offset");
  return TRUE;
}

/* ---- EvsWriter ---- */

static gboolean
evs_hdf5_writer_begin (EvsWriter  *writer,
                       GError    **error)
{
  EvsHdf5Writer *self = (EvsHdf5Writer *) writer;
  hid_t fcpl;
  gboolean ok;

  self->prophesee = evs_writer_get_format (writer) == EVS_FORMAT_PROPHESEE_HDF5;

  evs_hdf5_lock ();
  evs_hdf5_init ();
  fcpl = H5Pcreate (H5P_FILE_CREATE);
  self->file = H5Fcreate (_evs_writer_get_temp_path (writer), H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
  H5Pclose (fcpl);
  if (self->file < 0)
    ok = fail (self, error, "cannot create the HDF5 file");
  else if (self->prophesee)
    ok = begin_prophesee (self, error);
  else
    ok = begin_dsec (self, error);
  evs_hdf5_unlock ();

  if (!ok)
    close_all (self);
  return ok;
}

static gboolean
evs_hdf5_writer_write (EvsWriter            *writer,
                       const EvsEventChunk  *chunk,
                       GError              **error)
{
  EvsHdf5Writer *self = (EvsHdf5Writer *) writer;
  gboolean ok;

  evs_hdf5_lock ();
  ok = self->prophesee ? write_prophesee (self, chunk, error) : write_dsec (self, chunk, error);
  evs_hdf5_unlock ();

  if (!ok)
    close_all (self);
  return ok;
}

static gboolean
evs_hdf5_writer_finish (EvsWriter  *writer,
                        GError    **error)
{
  EvsHdf5Writer *self = (EvsHdf5Writer *) writer;
  gboolean ok;

  evs_hdf5_lock ();
  ok = self->prophesee ? finish_prophesee (self, error) : finish_dsec (self, error);
  if (ok)
    {
      for (guint c = 0; c < N_COLS; c++)
        evs_hdf5_close_id (&self->cols[c]);
      evs_hdf5_close_id (&self->ms_to_idx);
      evs_hdf5_close_id (&self->cd_events);
      evs_hdf5_close_id (&self->cd_indexes);
      if (H5Fflush (self->file, H5F_SCOPE_GLOBAL) < 0 || H5Fclose (self->file) < 0)
        ok = fail (self, error, "cannot complete the file");
      self->file = H5I_INVALID_HID;
    }
  evs_hdf5_unlock ();

  close_all (self);
  return ok;
}

static void
evs_hdf5_writer_dispose (GObject *object)
{
  EvsHdf5Writer *self = (EvsHdf5Writer *) object;

  /* Close the file before the base class removes the temporary file. */
  close_all (self);

  G_OBJECT_CLASS (evs_hdf5_writer_parent_class)->dispose (object);
}

static void
evs_hdf5_writer_finalize (GObject *object)
{
  EvsHdf5Writer *self = (EvsHdf5Writer *) object;

  g_free (self->ms_buf);
  g_free (self->t_rel);
  g_free (self->bt);
  g_free (self->bx);
  g_free (self->by);
  g_free (self->bp);
  g_free (self->encoded);
  g_free (self->ibuf);

  G_OBJECT_CLASS (evs_hdf5_writer_parent_class)->finalize (object);
}

static void
evs_hdf5_writer_class_init (EvsHdf5WriterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  EvsWriterClass *writer_class = EVS_WRITER_CLASS (klass);

  object_class->dispose = evs_hdf5_writer_dispose;
  object_class->finalize = evs_hdf5_writer_finalize;

  writer_class->uses_stream = FALSE;
  writer_class->begin = evs_hdf5_writer_begin;
  writer_class->write = evs_hdf5_writer_write;
  writer_class->finish = evs_hdf5_writer_finish;
}

static void
evs_hdf5_writer_init (EvsHdf5Writer *self)
{
  self->file = H5I_INVALID_HID;
  self->ms_to_idx = H5I_INVALID_HID;
  self->cd_events = H5I_INVALID_HID;
  self->cd_indexes = H5I_INVALID_HID;
  for (guint c = 0; c < N_COLS; c++)
    self->cols[c] = H5I_INVALID_HID;
}
