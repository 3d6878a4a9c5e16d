/* evs-format.c
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

#define G_LOG_DOMAIN "evs-format"

#include "config.h"

#include "evs-format.h"
#include "evs-error.h"

#include <string.h>

G_DEFINE_QUARK (evs-error-quark, evs_error)

static const struct
{
  const char *name;
  const char *display_name;
  gboolean    can_write;
} formats[EVS_N_FORMATS] = {
  [EVS_FORMAT_UNKNOWN]          = { "unknown", "Unknown", FALSE },
  [EVS_FORMAT_EVT2]             = { "evt2", "Prophesee RAW EVT 2.0", TRUE },
  [EVS_FORMAT_EVT21]            = { "evt21", "Prophesee RAW EVT 2.1", TRUE },
  [EVS_FORMAT_EVT3]             = { "evt3", "Prophesee RAW EVT 3.0", TRUE },
  [EVS_FORMAT_DAT]              = { "dat", "Prophesee DAT", TRUE },
  [EVS_FORMAT_PROPHESEE_HDF5]   = { "prophesee-hdf5", "Prophesee HDF5 (ECF)", TRUE },
  [EVS_FORMAT_DSEC_HDF5]        = { "dsec-hdf5", "DSEC HDF5", TRUE },
  [EVS_FORMAT_RVT_HDF5]         = { "rvt-hdf5", "RVT / eTraM HDF5", FALSE },
  [EVS_FORMAT_EVENT_UTILS_HDF5] = { "event-utils-hdf5", "event_utils HDF5", FALSE },
  [EVS_FORMAT_TEXT]             = { "text", "Text events", FALSE },
  [EVS_FORMAT_AEDAT4]           = { "aedat4", "iniVation AEDAT 4.0", FALSE },
  [EVS_FORMAT_CSV]              = { "csv", "CSV (t,x,y,p)", TRUE },
};

const char *
evs_format_to_string (EvsFormat format)
{
  if ((guint) format >= EVS_N_FORMATS)
    return formats[EVS_FORMAT_UNKNOWN].name;
  return formats[format].name;
}

const char *
evs_format_get_display_name (EvsFormat format)
{
  if ((guint) format >= EVS_N_FORMATS)
    return formats[EVS_FORMAT_UNKNOWN].display_name;
  return formats[format].display_name;
}

EvsFormat
evs_format_from_string (const char *name)
{
  g_return_val_if_fail (name != NULL, EVS_FORMAT_UNKNOWN);

  for (guint i = 1; i < EVS_N_FORMATS; i++)
    {
      if (g_ascii_strcasecmp (name, formats[i].name) == 0)
        return (EvsFormat) i;
    }

  /* Friendly aliases accepted on the command line */
  if (g_ascii_strcasecmp (name, "evt2.1") == 0)
    return EVS_FORMAT_EVT21;
  if (g_ascii_strcasecmp (name, "evt3.0") == 0 || g_ascii_strcasecmp (name, "raw") == 0)
    return EVS_FORMAT_EVT3;
  if (g_ascii_strcasecmp (name, "evt2.0") == 0)
    return EVS_FORMAT_EVT2;
  if (g_ascii_strcasecmp (name, "txt") == 0)
    return EVS_FORMAT_CSV;
  if (g_ascii_strcasecmp (name, "dsec") == 0 || g_ascii_strcasecmp (name, "h5") == 0
      || g_ascii_strcasecmp (name, "hdf5") == 0)
    return EVS_FORMAT_DSEC_HDF5;
  if (g_ascii_strcasecmp (name, "prophesee") == 0)
    return EVS_FORMAT_PROPHESEE_HDF5;

  return EVS_FORMAT_UNKNOWN;
}

gboolean
evs_format_can_write (EvsFormat format)
{
  if ((guint) format >= EVS_N_FORMATS)
    return FALSE;
  return formats[format].can_write;
}

/**
 * evs_format_for_output_path:
 *
 * The default output format for a file name, following the CLI contract:
 * `.raw` → EVT 3.0, `.dat` → DAT, `.h5`/`.hdf5` → DSEC layout,
 * `.csv`/`.txt` → CSV with a `t,x,y,p` header.
 */
EvsFormat
evs_format_for_output_path (const char *path)
{
  const char *dot;

  g_return_val_if_fail (path != NULL, EVS_FORMAT_UNKNOWN);

  dot = strrchr (path, '.');
  if (dot == NULL || strchr (dot, G_DIR_SEPARATOR) != NULL)
    return EVS_FORMAT_UNKNOWN;
  dot++;

  if (g_ascii_strcasecmp (dot, "raw") == 0)
    return EVS_FORMAT_EVT3;
  if (g_ascii_strcasecmp (dot, "dat") == 0)
    return EVS_FORMAT_DAT;
  if (g_ascii_strcasecmp (dot, "h5") == 0 || g_ascii_strcasecmp (dot, "hdf5") == 0)
    return EVS_FORMAT_DSEC_HDF5;
  if (g_ascii_strcasecmp (dot, "csv") == 0 || g_ascii_strcasecmp (dot, "txt") == 0)
    return EVS_FORMAT_CSV;

  return EVS_FORMAT_UNKNOWN;
}

G_DEFINE_BOXED_TYPE (EvsRecordingInfo, evs_recording_info,
                     evs_recording_info_copy, evs_recording_info_free)

EvsRecordingInfo *
evs_recording_info_new (void)
{
  EvsRecordingInfo *info = g_new0 (EvsRecordingInfo, 1);

  info->header_keys = g_new0 (char *, 1);
  info->header_values = g_new0 (char *, 1);

  return info;
}

EvsRecordingInfo *
evs_recording_info_copy (const EvsRecordingInfo *info)
{
  EvsRecordingInfo *copy;

  g_return_val_if_fail (info != NULL, NULL);

  copy = g_new0 (EvsRecordingInfo, 1);
  *copy = *info;
  copy->path = g_strdup (info->path);
  copy->detail = g_strdup (info->detail);
  copy->header_keys = g_strdupv (info->header_keys);
  copy->header_values = g_strdupv (info->header_values);

  return copy;
}

void
evs_recording_info_free (EvsRecordingInfo *info)
{
  if (info == NULL)
    return;

  g_free (info->path);
  g_free (info->detail);
  g_strfreev (info->header_keys);
  g_strfreev (info->header_values);
  g_free (info);
}

/**
 * evs_recording_info_add_header:
 *
 * Records a header entry.  A repeated key replaces the earlier value, as
 * OpenEB's header parser does.
 */
void
evs_recording_info_add_header (EvsRecordingInfo *info,
                               const char       *key,
                               const char       *value)
{
  guint n;

  g_return_if_fail (info != NULL);
  g_return_if_fail (key != NULL);

  if (value == NULL)
    value = "";

  n = g_strv_length (info->header_keys);
  for (guint i = 0; i < n; i++)
    {
      if (strcmp (info->header_keys[i], key) == 0)
        {
          g_free (info->header_values[i]);
          info->header_values[i] = g_strdup (value);
          return;
        }
    }

  info->header_keys = g_renew (char *, info->header_keys, n + 2);
  info->header_values = g_renew (char *, info->header_values, n + 2);
  info->header_keys[n] = g_strdup (key);
  info->header_values[n] = g_strdup (value);
  info->header_keys[n + 1] = NULL;
  info->header_values[n + 1] = NULL;
}

const char *
evs_recording_info_lookup (const EvsRecordingInfo *info,
                           const char             *key)
{
  g_return_val_if_fail (info != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  for (guint i = 0; info->header_keys != NULL && info->header_keys[i] != NULL; i++)
    {
      if (strcmp (info->header_keys[i], key) == 0)
        return info->header_values[i];
    }

  return NULL;
}
