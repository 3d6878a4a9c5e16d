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

#pragma once

#include <gio/gio.h>
#include <hdf5.h>

G_BEGIN_DECLS

/* Shared by the HDF5 reader and writer.  libhdf5 (serial build) is not
 * thread safe: every HDF5 call in Evscope runs with this lock held. */

#define EVS_HDF5_FILTER_BLOSC 32001
#define EVS_HDF5_FILTER_ZSTD  32015

void     evs_hdf5_init          (void);
void     evs_hdf5_lock          (void);
void     evs_hdf5_unlock        (void);
void     evs_hdf5_set_error     (GError      **error,
                                 gint          code,
                                 const char   *format,
                                 ...) G_GNUC_PRINTF (3, 4);
gboolean evs_hdf5_check_filters (hid_t         dataset,
                                 const char   *file_path,
                                 const char   *dataset_name,
                                 GError      **error);
const char *evs_hdf5_filter_package (H5Z_filter_t id);

static inline void
evs_hdf5_close_id (hid_t *id)
{
  if (*id >= 0)
    H5Idec_ref (*id);
  *id = H5I_INVALID_HID;
}

G_END_DECLS
