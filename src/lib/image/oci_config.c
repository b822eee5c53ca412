/* SPDX-License-Identifier: MIT */
/* The image config, homo's record <-> OCI's (oci_config.h). */
#include "image/oci_config.h"

#include <string.h>

#include "image/oci_format.h"

/* homo's key, OCI's key, the JSON type kept */
static const struct {
	const char *homo, *oci;
	json_type type;
} fields[] = {
    {"entrypoint", "Entrypoint", JSON_ARRAY},
    {"labels", "Labels", JSON_OBJECT},
    {"exposed_ports", "ExposedPorts", JSON_OBJECT},
    {"volumes", "Volumes", JSON_OBJECT},
    {"stop_signal", "StopSignal", JSON_STRING},
};

/* An array of its strings, an object of its string or {} values. */
static json_t *clean(json_t *v, json_type type)
{
	json_t *out, *x;
	const char *k;
	size_t i;

	if (!v || json_typeof(v) != type)
		return NULL;
	if (type == JSON_STRING)
		return *json_string_value(v) ? json_incref(v) : NULL;
	out = type == JSON_ARRAY ? json_array() : json_object();
	if (type == JSON_ARRAY) {
		json_array_foreach(v, i, x) if (json_is_string(x))
		    json_array_append(out, x);
	} else {
		json_object_foreach(v, k, x) if (json_is_string(x) ||
						 json_is_object(x))
		    json_object_set_new(out, k,
					json_is_string(x) ? json_incref(x)
							  : json_object());
	}
	if (json_is_array(out) ? json_array_size(out) : json_object_size(out))
		return out;
	json_decref(out);
	return NULL;
}

json_t *oci_config_to_homo(json_t *oci)
{
	json_t *c = json_object_get(oci, "config");
	json_t *cfg = image_default_config(), *v;
	json_t *cmd = json_object_get(c, "Cmd");
	const char *s;

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		v = clean(json_object_get(c, fields[i].oci), fields[i].type);
		if (v)
			json_object_set_new(cfg, fields[i].homo, v);
	}
	/* Cmd as given, [] too; none: [] after an entrypoint, else ours */
	if (json_is_array(cmd))
		json_object_set_new(cfg, "cmd",
				    clean(cmd, JSON_ARRAY) ?: json_array());
	else if (json_object_get(cfg, "entrypoint"))
		json_object_set_new(cfg, "cmd", json_array());
	v = clean(json_object_get(c, "Env"), JSON_ARRAY);
	if (v)
		json_object_set_new(cfg, "env", v);
	s = json_string_value(json_object_get(c, "WorkingDir"));
	if (s && *s)
		json_object_set_new(cfg, "workdir", json_string(s));
	s = json_string_value(json_object_get(c, "User"));
	if (s)
		json_object_set_new(cfg, "user", json_string(s));
	s = json_string_value(json_object_get(oci, "comment"));
	if (s)
		json_object_set_new(cfg, "comment", json_string(s));
	return cfg;
}

json_t *oci_history(json_t *oci)
{
	json_t *h = json_object_get(oci, "history"), *out, *v;
	size_t i;

	if (!json_is_array(h))
		return NULL;
	out = json_array();
	json_array_foreach(h, i, v) if (json_is_object(v))
	    json_array_append(out, v);
	return out;
}

json_t *oci_config_from_homo(const struct hm_image *img, json_t *diff_ids)
{
	json_t *c = img->config, *cfg = json_object(), *j;
	const char *comment = json_string_value(json_object_get(c, "comment"));

	json_object_set(cfg, "Cmd", json_object_get(c, "cmd"));
	json_object_set(cfg, "Env", json_object_get(c, "env"));
	json_object_set_new(
	    cfg, "WorkingDir",
	    json_string(json_string_value(json_object_get(c, "workdir"))
			    ?: "/"));
	json_object_set_new(
	    cfg, "User",
	    json_string(json_string_value(json_object_get(c, "user")) ?: ""));
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		json_object_set(cfg, fields[i].oci,
				json_object_get(c, fields[i].homo));
	j = json_pack("{s:s, s:s, s:s, s:o, s:{s:s, s:o}}", "created",
		      img->created ? img->created : "", "architecture",
		      oci_arch(), "os", "linux", "config", cfg, "rootfs",
		      "type", "layers", "diff_ids", diff_ids);
	if (comment)
		json_object_set_new(j, "comment", json_string(comment));
	if (json_array_size(img->history))
		json_object_set_new(j, "history", image_history(img));
	return j;
}
