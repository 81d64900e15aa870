/** networking.k8s.io/v1, discovery.k8s.io/v1 and coordination.k8s.io/v1 kinds. */
import { z } from "zod";
import { Condition, ObjectMeta, StringMap, opaqueObject } from "./meta.js";

const IngressServiceBackend = z.looseObject({
  name: z.string(),
  port: z.looseObject({ name: z.string().optional(), number: z.number().int().optional() }).optional(),
});
export const IngressBackend = z.looseObject({
  service: IngressServiceBackend.optional(),
  resource: opaqueObject().optional(),
});

export const Ingress = z
  .looseObject({
    apiVersion: z.literal("networking.k8s.io/v1").optional(),
    kind: z.literal("Ingress").optional(),
    metadata: ObjectMeta,
    spec: z
      .looseObject({
        ingressClassName: z.string().optional(),
        defaultBackend: IngressBackend.optional(),
        tls: z
          .array(z.looseObject({ hosts: z.array(z.string()).optional(), secretName: z.string().optional() }))
          .optional(),
        rules: z
          .array(
            z.looseObject({
              host: z.string().optional(),
              http: z
                .looseObject({
                  paths: z.array(
                    z.looseObject({
                      path: z.string().optional(),
                      pathType: z.enum(["Prefix", "Exact", "ImplementationSpecific"]),
                      backend: IngressBackend,
                    }),
                  ),
                })
                .optional(),
            }),
          )
          .optional(),
      })
      .optional(),
    status: z
      .looseObject({
        loadBalancer: z
          .looseObject({
            ingress: z.array(z.looseObject({ ip: z.string().optional(), hostname: z.string().optional() })).optional(),
          })
          .optional(),
      })
      .optional(),
  })
  .describe("Ingress is a collection of rules that allow inbound connections to reach Services.");
export type Ingress = z.infer<typeof Ingress>;

export const IngressClass = z
  .looseObject({
    apiVersion: z.literal("networking.k8s.io/v1").optional(),
    kind: z.literal("IngressClass").optional(),
    metadata: ObjectMeta,
    spec: z.looseObject({ controller: z.string().optional(), parameters: opaqueObject().optional() }).optional(),
  })
  .describe("IngressClass represents the class of the Ingress, referenced by the Ingress spec.");
export type IngressClass = z.infer<typeof IngressClass>;

export const EndpointSlice = z
  .looseObject({
    apiVersion: z.literal("discovery.k8s.io/v1").optional(),
    kind: z.literal("EndpointSlice").optional(),
    metadata: ObjectMeta,
    addressType: z.enum(["IPv4", "IPv6", "FQDN"]),
    endpoints: z.array(
      z.looseObject({
        addresses: z.array(z.string()),
        conditions: z
          .looseObject({
            ready: z.boolean().optional(),
            serving: z.boolean().optional(),
            terminating: z.boolean().optional(),
          })
          .optional(),
        hostname: z.string().optional(),
        nodeName: z.string().optional(),
        targetRef: opaqueObject().optional(),
        zone: z.string().optional(),
      }),
    ),
    ports: z
      .array(
        z.looseObject({
          name: z.string().optional(),
          port: z.number().int().optional(),
          protocol: z.string().optional(),
          appProtocol: z.string().optional(),
        }),
      )
      .optional(),
  })
  .describe("EndpointSlice represents a subset of the endpoints that implement a service.");
export type EndpointSlice = z.infer<typeof EndpointSlice>;

export const Lease = z
  .looseObject({
    apiVersion: z.literal("coordination.k8s.io/v1").optional(),
    kind: z.literal("Lease").optional(),
    metadata: ObjectMeta,
    spec: z
      .looseObject({
        holderIdentity: z.string().optional(),
        leaseDurationSeconds: z.number().int().optional(),
        acquireTime: z.string().nullable().optional(),
        renewTime: z.string().nullable().optional(),
        leaseTransitions: z.number().int().optional(),
      })
      .optional(),
  })
  .describe("Lease defines a lease concept; nodes renew one as their heartbeat.");
export type Lease = z.infer<typeof Lease>;

export { Condition, StringMap };
