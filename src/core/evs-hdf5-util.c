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

#define G_LOG_DOMAIN "evs-hdf5"

#include "config.h"

#include "evs-hdf5-util.h"

#include "evs-ecf.h"
#include "evs-error.h"

#include <string.h>
#include <zstd.h>

static GRecMutex hdf5_lock;

void
evs_hdf5_lock (void)
{
  g_rec_mutex_lock (&hdf5_lock);
}

void
evs_hdf5_unlock (void)
{
  g_rec_mutex_unlock (&hdf5_lock);
}

/* In-process Zstandard filter (32015, as hdf5plugin.Zstd writes it): the
 * chunk is one zstd frame; cd_values[0] is the level. */
static size_t
zstd_filter (unsigned int        flags,
             size_t              cd_nelmts,
             const unsigned int  cd_values[],
             size_t              nbytes,
             size_t             *buf_size,
             void              **buf)
{
  if (flags & H5Z_FLAG_REVERSE)
    {
      unsigned long long size = ZSTD_getFrameContentSize (*buf, nbytes);
      void *out;
      size_t got;

      if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN
          || size > ((gsize) 1 << 31))
        return 0;
      out = H5allocate_memory (MAX (size, 1), FALSE);
      if (out == NULL)
        return 0;
      got = ZSTD_decompress (out, size, *buf, nbytes);
      if (ZSTD_isError (got) || got != size)
        {
          H5free_memory (out);
          return 0;
        }
      H5free_memory (*buf);
      *buf = out;
      *buf_size = MAX (size, 1);
      return got;
    }
  else
    {
      int level = cd_nelmts > 0 ? (int) cd_values[0] : 3;
      size_t bound = ZSTD_compressBound (nbytes);
      void *out = H5allocate_memory (bound, FALSE);
      size_t got;

      if (out == NULL)
        return 0;
      got = ZSTD_compress (out, bound, *buf, nbytes, level);
      if (ZSTD_isError (got))
        {
          H5free_memory (out);
          return 0;
        }
      H5free_memory (*buf);
      *buf = out;
      *buf_size = bound;
      return got;
    }
}

/**
 * evs_hdf5_init:
 *
 * Turns off HDF5's printing of error stacks (Evscope turns them into
 * GErrors) and registers the ECF filter and, when no plugin provides it,
 * the Zstandard filter.  Call with the lock held.
 */
void
evs_hdf5_init (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      static const H5Z_class2_t zstd_class = {
        H5Z_CLASS_T_VERS,
        (H5Z_filter_t) EVS_HDF5_FILTER_ZSTD,
        1, 1,
        "zstd (Evscope)",
        NULL,
        NULL,
        zstd_filter,
      };

      H5open ();
      H5Eset_auto2 (H5E_DEFAULT, NULL, NULL);
      evs_ecf_register_filter ();
      if (H5Zfilter_avail (EVS_HDF5_FILTER_ZSTD) <= 0)
        H5Zregister (&zstd_class);
      H5Eclear2 (H5E_DEFAULT);
      g_once_init_leave (&once, 1);
    }
  /* The automatic printing is per thread in thread-safe builds. */
  H5Eset_auto2 (H5E_DEFAULT, NULL, NULL);
}

static herr_t
collect_error (unsigned int     n,
               const H5E_error2_t *err,
               void            *user_data)
{
  GString *s = user_data;

  (void) n;
  if (err->desc != NULL && err->desc[0] != '\0')
    {
      if (s->len > 0)
        g_string_append (s, "; ");
      g_string_append (s, err->desc);
    }
  return s->len > 200 ? 1 : 0;
}

/**
 * evs_hdf5_set_error:
 *
 * Sets @error from @format and appends what HDF5's error stack says, then
 * clears the stack.
 */
void
evs_hdf5_set_error (GError     **error,
                    gint         code,
                    const char  *format,
                    ...)
{
  g_autoptr(GString) detail = g_string_new (NULL);
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  H5Ewalk2 (H5E_DEFAULT, H5E_WALK_UPWARD, collect_error, detail);
  H5Eclear2 (H5E_DEFAULT);

  if (detail->len > 0)
    g_set_error (error, EVS_ERROR, code, "%s (HDF5: %s)", message, detail->str);
  else
    g_set_error_literal (error, EVS_ERROR, code, message);
}

/**
 * evs_hdf5_filter_package:
 *
 * Returns: what provides HDF5 filter @id on Debian, or %NULL
 */
const char *
evs_hdf5_filter_package (H5Z_filter_t id)
{
  switch (id)
    {
    case EVS_HDF5_FILTER_BLOSC:
      return "the Debian package hdf5-filter-plugin-blosc-serial";
    case 307:   /* bzip2 */
    case 32004: /* lz4 */
      return "the Debian package hdf5-filter-plugin";
    case 32000:
      return "the Debian package hdf5-plugin-lzf";
    case 32013:
      return "the Debian package hdf5-filter-plugin-zfp-serial";
    case EVS_HDF5_FILTER_ZSTD:
    case EVS_ECF_FILTER_ID:
      return "Evscope itself (built-in filter; this is a bug)";
    default:
      return NULL;
    }
}

/**
 * evs_hdf5_check_filters:
 *
 * Fails with %EVS_ERROR_MISSING_FILTER when @dataset needs a filter that is
 * neither built in nor installed as a plugin, naming the filter and the
 * package that provides it.
 */
gboolean
evs_hdf5_check_filters (hid_t        dataset,
                        const char  *file_path,
                        const char  *dataset_name,
                        GError     **error)
{
  hid_t dcpl = H5Dget_create_plist (dataset);
  int n;

  if (dcpl < 0)
    {
      evs_hdf5_set_error (error, EVS_ERROR_CORRUPT,
                          "Cannot read the storage properties of “%s” in “%s”",
                          dataset_name, file_path);
      return FALSE;
    }
  n = H5Pget_nfilters (dcpl);
  for (int i = 0; i < n; i++)
    {
      unsigned int flags = 0;
      size_t n_cd = 0;
      char name[64] = "";
      unsigned int config;
      H5Z_filter_t id = H5Pget_filter2 (dcpl, (unsigned) i, &flags, &n_cd, NULL,
                                        sizeof name, name, &config);

      if (id < 0)
        continue;
      /* Optional filters too: h5py marks every plugin filter optional,
       * and chunks written through it cannot be read without it. */
      if (H5Zfilter_avail (id) <= 0)
        {
          const char *package = evs_hdf5_filter_package (id);

          H5Eclear2 (H5E_DEFAULT);
          H5Pclose (dcpl);
          g_set_error (error, EVS_ERROR, EVS_ERROR_MISSING_FILTER,
                       "Dataset “%s” in “%s” is compressed with HDF5 filter %d (%s), "
                       "which is not installed%s%s", dataset_name, file_path, (int) id,
                       name[0] != '\0' ? name : "unknown",
                       package != NULL ? "; it is provided by " : "; no Debian package provides it",
                       package != NULL ? package : "");
          return FALSE;
        }
    }
  H5Pclose (dcpl);
  H5Eclear2 (H5E_DEFAULT);
  return TRUE;
}
