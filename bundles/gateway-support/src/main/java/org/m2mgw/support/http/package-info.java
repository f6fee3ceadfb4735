/**
 * The web console's HTTP access rules, shared by the console's security provider and the REST
 * API: the generated admin password file, the per-address login back-off, the cross-origin check
 * and the Basic header. Private to each bundle that copies it (bnd -conditionalpackage).
 */
package org.m2mgw.support.http;
