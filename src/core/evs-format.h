/* evs-format.h
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

G_BEGIN_DECLS

/**
 * EvsFormat:
 *
 * The recording formats Evscope reads and writes.  The nick of each value
 * (evs_format_to_string()) is the public name used by `evscope-cli` and the
 * `format` key of `evscope-cli info --json`.
 */
typedef enum
{
  EVS_FORMAT_UNKNOWN,
  EVS_FORMAT_EVT2,
  EVS_FORMAT_EVT21,
  EVS_FORMAT_EVT3,
  EVS_FORMAT_DAT,
  EVS_FORMAT_PROPHESEE_HDF5,
  EVS_FORMAT_DSEC_HDF5,
  EVS_FORMAT_RVT_HDF5,
  EVS_FORMAT_EVENT_UTILS_HDF5,
  EVS_FORMAT_TEXT,
  EVS_FORMAT_AEDAT4,
  EVS_FORMAT_CSV,
  EVS_N_FORMATS
} EvsFormat;

const char *evs_format_to_string        (EvsFormat   format);
EvsFormat   evs_format_from_string      (const char *name);
const char *evs_format_get_display_name (EvsFormat   format);
EvsFormat   evs_format_for_output_path  (const char *path);
gboolean    evs_format_can_write        (EvsFormat   format);

#define EVS_TYPE_RECORDING_INFO (evs_recording_info_get_type ())

/**
 * EvsRecordingInfo:
 * @format: the detected format
 * @width: sensor width in pixels (0 when unknown)
 * @height: sensor height in pixels (0 when unknown)
 * @geometry_known: %FALSE when the file states no geometry and it was guessed
 * @file_size: size of the file in bytes
 * @time_shift_us: the time Metavision would subtract by default (informative; Evscope
 *   always reports times as stored)
 * @path: the file's path
 * @detail: a human-readable note on the variant or on what was assumed
 *   (for example the text layout detected), or %NULL
 * @header_keys: (array zero-terminated=1): header keys in file order
 * @header_values: (array zero-terminated=1): header values, parallel to @header_keys
 *
 * What a reader knows about a recording before decoding it.  Immutable once a
 * reader has been opened; copy it to hand it to another thread.
 */
typedef struct
{
  EvsFormat format;
  guint     width;
  guint     height;
  gboolean  geometry_known;
  guint64   file_size;
  gint64    time_shift_us;
  char     *path;
  char     *detail;
  GStrv     header_keys;
  GStrv     header_values;
} EvsRecordingInfo;

GType             evs_recording_info_get_type   (void) G_GNUC_CONST;
EvsRecordingInfo *evs_recording_info_new        (void);
EvsRecordingInfo *evs_recording_info_copy       (const EvsRecordingInfo *info);
void              evs_recording_info_free       (EvsRecordingInfo       *info);
void              evs_recording_info_add_header (EvsRecordingInfo       *info,
                                                 const char             *key,
                                                 const char             *value);
const char       *evs_recording_info_lookup     (const EvsRecordingInfo *info,
                                                 const char             *key);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EvsRecordingInfo, evs_recording_info_free)

G_END_DECLS
