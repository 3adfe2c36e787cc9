// Generated from the API's route table by `npm run web-types` (src/server/api/web-types.ts): do not edit.
// The pages' `// @ts-check` reads these types; test/server/web/api-types.test.ts fails when they are stale.

export interface ApiReplies {
  "GET /api/v1/audit": {
    rows: Array<{
      id: number;
      at: number;
      username: string;
      action: string;
      subject: {
        kind: string;
        id: string;
      };
      schoolId: string | null;
      detail: string | null;
    }>;
    total: number;
  };
  "GET /api/v1/consents": {
    consents: Array<{
      schoolId: string;
      studentId: string;
      register: string;
      schoolYear: string;
      givenBy: "student" | "parent";
      registeredAt: number;
      source: string;
    }>;
  };
  "POST /api/v1/consents": {
    added: number;
    updated: number;
    unchanged: number;
    withdrawn: number;
  };
  "POST /api/v1/consents/withdraw": {
    withdrawn: boolean;
  };
  "POST /api/v1/device-rules/import": {
    ok: boolean;
    stored: boolean;
    errors: Array<{
      line: number;
      message: string;
    }>;
    skipped: Array<{
      line: number;
      message: string;
    }>;
    rules: Array<{
      kind: "serial" | "hostname";
      value: string;
      studentId: string;
    }>;
    patternsKept: number;
  };
  "GET /api/v1/device/catalog": {
    keyId: string;
    signature: string;
    payload: {
      type: "lesmodus.catalog.v1";
      catalog: {
        version: string;
        services: Array<{
          id: string;
          name: string;
          category: "social" | "video" | "camera" | "screen-recording" | "audio-recording";
          optIn: boolean;
          match: {
            win32?: {
              exe: Array<string>;
              originalNames: Array<string>;
              storePackageFamilies: Array<string>;
              contents: Array<{
                sha256: string;
                bytes: number;
              }>;
            };
            darwin?: {
              bundleIds: Array<string>;
              exe: Array<string>;
              contents: Array<{
                sha256: string;
                bytes: number;
              }>;
            };
            linux?: {
              binaries: Array<string>;
              scripts: Array<string>;
              flatpak: Array<string>;
              snap: Array<string>;
              contents: Array<{
                sha256: string;
                bytes: number;
              }>;
            };
          };
          domains: Array<string>;
          notes?: string;
        }>;
        neverBlock: Array<{
          id: string;
          name: string;
          reason: string;
          match: {
            win32?: {
              exe: Array<string>;
              originalNames: Array<string>;
              storePackageFamilies: Array<string>;
              contents: Array<{
                sha256: string;
                bytes: number;
              }>;
            };
            darwin?: {
              bundleIds: Array<string>;
              exe: Array<string>;
              contents: Array<{
                sha256: string;
                bytes: number;
              }>;
            };
            linux?: {
              binaries: Array<string>;
              scripts: Array<string>;
              flatpak: Array<string>;
              snap: Array<string>;
              contents: Array<{
                sha256: string;
                bytes: number;
              }>;
            };
          };
          domains: Array<string>;
          notes?: string;
        }>;
      };
      version: string;
      sha256: string;
      signedAt: number;
    };
  };
  "POST /api/v1/device/events": {
    outcomes: Array<{
      index: number;
      id: string | null;
      status: "accepted" | "duplicate" | "rejected";
      issues?: Array<{
        path: string;
        message: string;
      }>;
    }>;
    accepted: number;
    duplicates: number;
    rejected: number;
    lastEventSeq: number | null;
    previousLastEventSeq?: number | null;
  };
  "GET /api/v1/device/grants": {
    serverTime: number;
    grants: Array<{
      keyId: string;
      signature: string;
      payload: {
        type: "lesmodus.device-grant.v1";
        deviceId: string;
        schoolId: string;
        grant: {
          id: string;
          issuedBy: {
            username: string;
            name?: string;
            role: "teacher" | "leader";
            teacherCode?: string;
          };
          reason: string;
          scope: {
            kind: "lesson";
            lessonUid: string;
            lessonStart: number;
          } | {
            kind: "window";
            start: number;
            end: number;
          };
          allow: {
            categories: Array<"social" | "video" | "camera" | "screen-recording" | "audio-recording">;
            services: Array<string>;
            capture: Array<"camera" | "microphone" | "screen">;
          };
          issuedAt: number;
          expiresAt: number;
          revokedAt?: number;
        };
        articles: Array<string>;
        audience?: {
          kind: "lesson";
        } | {
          kind: "groups";
          groups: Array<string>;
        } | {
          kind: "student";
          studentId: string;
        } | {
          kind: "device";
          deviceId: string;
        };
        signedAt: number;
      };
    }>;
  };
  "POST /api/v1/device/grants/restore": {
    outcomes: Array<{
      index: number;
      grantId: string | null;
      status: "restored" | "known" | "refused";
      reason?: string;
    }>;
  };
  "POST /api/v1/device/heartbeat": {
    serverTime: number;
    lastEventSeq: number | null;
    clockOffsetMs: number | null;
  };
  "GET /api/v1/device/schedule": {
    keyId: string;
    signature: string;
    payload: {
      type: "lesmodus.schedule.v1";
      deviceId: string;
      schoolId: string | null;
      studentId: string | null;
      timeZone: string;
      from: number;
      to: number;
      lessons: Array<{
        uid: string;
        start: number;
        end: number;
        subject: string | null;
        groups: Array<string>;
        teachers: Array<string>;
        location: string | null;
        cancelled: boolean;
        online: boolean;
      }>;
      consents?: Array<{
        register: string;
        from: number;
        to: number;
      }>;
      catalog?: {
        version: string;
        sha256: string;
      };
      signedAt: number;
    };
  };
  "POST /api/v1/device/unlock": {
    keyId: string;
    signature: string;
    payload: {
      type: "lesmodus.device-grant.v1";
      deviceId: string;
      schoolId: string;
      grant: {
        id: string;
        issuedBy: {
          username: string;
          name?: string;
          role: "teacher" | "leader";
          teacherCode?: string;
        };
        reason: string;
        scope: {
          kind: "lesson";
          lessonUid: string;
          lessonStart: number;
        } | {
          kind: "window";
          start: number;
          end: number;
        };
        allow: {
          categories: Array<"social" | "video" | "camera" | "screen-recording" | "audio-recording">;
          services: Array<string>;
          capture: Array<"camera" | "microphone" | "screen">;
        };
        issuedAt: number;
        expiresAt: number;
        revokedAt?: number;
      };
      articles: Array<string>;
      audience?: {
        kind: "lesson";
      } | {
        kind: "groups";
        groups: Array<string>;
      } | {
        kind: "student";
        studentId: string;
      } | {
        kind: "device";
        deviceId: string;
      };
      signedAt: number;
    };
  };
  "GET /api/v1/devices": {
    devices: Array<{
      deviceId: string;
      schoolId: string | null;
      hostname: string;
      serial: string | null;
      os: "win32" | "darwin" | "linux";
      agentVersion: string;
      loginName: string | null;
      studentId: string | null;
      studentName: string | null;
      enrolledAt: number;
      lastSeenAt: number | null;
      revokedAt: number | null;
      revokedBy: string | null;
    }>;
  };
  "POST /api/v1/devices/:id/assign": {
    id: string;
    schoolId: string | null;
    studentId: string | null;
    hostname: string;
    serial: string | null;
    os: "win32" | "darwin" | "linux";
    agentVersion: string;
    loginName: string | null;
    enrolledAt: number;
    lastSeenAt: number | null;
    lastEventSeq: number | null;
    revokedAt: number | null;
    revokedBy: string | null;
  };
  "GET /api/v1/devices/:id/events": {
    rows: Array<{
      deviceId: string;
      receivedAt: number;
      event: {
        id: string;
        seq: number;
        type: string;
        occurredAt: number;
        policyVersion: string;
        payload: unknown;
      };
    }>;
    total: number;
  };
  "POST /api/v1/devices/:id/restore": {
    id: string;
    schoolId: string | null;
    studentId: string | null;
    hostname: string;
    serial: string | null;
    os: "win32" | "darwin" | "linux";
    agentVersion: string;
    loginName: string | null;
    enrolledAt: number;
    lastSeenAt: number | null;
    lastEventSeq: number | null;
    revokedAt: number | null;
    revokedBy: string | null;
  };
  "POST /api/v1/devices/:id/revoke": {
    id: string;
    schoolId: string | null;
    studentId: string | null;
    hostname: string;
    serial: string | null;
    os: "win32" | "darwin" | "linux";
    agentVersion: string;
    loginName: string | null;
    enrolledAt: number;
    lastSeenAt: number | null;
    lastEventSeq: number | null;
    revokedAt: number | null;
    revokedBy: string | null;
  };
  "POST /api/v1/devices/enroll": {
    deviceId: string;
    credential: string;
    schoolId: string | null;
    studentId: string | null;
    keyId: string;
  };
  "GET /api/v1/devices/not-enforcing": {
    devices: Array<{
      lesson: {
        uid: string;
        start: number;
        end: number;
        subject: string | null;
        groups: Array<string>;
        teachers: Array<string>;
      };
      deviceId: string;
      hostname: string;
      studentId: string;
      studentName: string | null;
      coveredMs: number;
      silentMs: number;
      silent: boolean;
      tamperEvents: number;
      lastSeenAt: number | null;
    }>;
  };
  "GET /api/v1/enrollment-secrets": {
    secrets: Array<{
      id: string;
      schoolId: string | null;
      createdAt: number;
      revokedAt: number | null;
    }>;
  };
  "POST /api/v1/enrollment-secrets": {
    id: string;
    schoolId: string | null;
    createdAt: number;
    revokedAt: number | null;
    secret: string;
  };
  "POST /api/v1/enrollment-secrets/:id/revoke": {
    id: string;
    schoolId: string | null;
    createdAt: number;
    revokedAt: number | null;
  };
  "GET /api/v1/exceptions": {
    rows: Array<{
      id: string;
      schoolId: string;
      issuedBy: {
        username: string;
        name?: string;
        role: "teacher" | "leader";
        teacherCode?: string;
      };
      reason: string;
      scope: {
        kind: "lesson";
        lessonUid: string;
        lessonStart: number;
      } | {
        kind: "window";
        start: number;
        end: number;
      };
      allow: {
        categories: Array<"social" | "video" | "camera" | "screen-recording" | "audio-recording">;
        services: Array<string>;
        capture: Array<"camera" | "microphone" | "screen">;
      };
      articles: Array<string>;
      groups: Array<string>;
      audience: {
        kind: "lesson";
      } | {
        kind: "groups";
        groups: Array<string>;
      } | {
        kind: "student";
        studentId: string;
      } | {
        kind: "device";
        deviceId: string;
      };
      issuedAt: number;
      startsAt: number;
      expiresAt: number;
      revokedAt: number | null;
      revokedBy: string | null;
      status: "scheduled" | "active" | "expired" | "revoked";
      devicesApplied: number;
    }>;
    total: number;
    limit: number;
    offset: number;
  };
  "GET /api/v1/exceptions/:id": {
    grant: {
      id: string;
      schoolId: string;
      grant: {
        id: string;
        issuedBy: {
          username: string;
          name?: string;
          role: "teacher" | "leader";
          teacherCode?: string;
        };
        reason: string;
        scope: {
          kind: "lesson";
          lessonUid: string;
          lessonStart: number;
        } | {
          kind: "window";
          start: number;
          end: number;
        };
        allow: {
          categories: Array<"social" | "video" | "camera" | "screen-recording" | "audio-recording">;
          services: Array<string>;
          capture: Array<"camera" | "microphone" | "screen">;
        };
        issuedAt: number;
        expiresAt: number;
        revokedAt?: number;
      };
      articles: Array<string>;
      audience: {
        kind: "lesson";
      } | {
        kind: "groups";
        groups: Array<string>;
      } | {
        kind: "student";
        studentId: string;
      } | {
        kind: "device";
        deviceId: string;
      };
      groups: Array<string>;
      startsAt: number;
      revokedAt: number | null;
      revokedBy: string | null;
      createdAt: number;
      status: "scheduled" | "active" | "expired" | "revoked";
      signed: {
        keyId: string;
        signature: string;
        payload: {
          type: "lesmodus.issued-grant.v1";
          schoolId: string;
          grant: {
            id: string;
            issuedBy: {
              username: string;
              name?: string;
              role: "teacher" | "leader";
              teacherCode?: string;
            };
            reason: string;
            scope: {
              kind: "lesson";
              lessonUid: string;
              lessonStart: number;
            } | {
              kind: "window";
              start: number;
              end: number;
            };
            allow: {
              categories: Array<"social" | "video" | "camera" | "screen-recording" | "audio-recording">;
              services: Array<string>;
              capture: Array<"camera" | "microphone" | "screen">;
            };
            issuedAt: number;
            expiresAt: number;
            revokedAt?: number;
          };
          articles: Array<string>;
          audience: {
            kind: "lesson";
          } | {
            kind: "groups";
            groups: Array<string>;
          } | {
            kind: "student";
            studentId: string;
          } | {
            kind: "device";
            deviceId: string;
          };
        } | {
          type: "lesmodus.device-grant.v1";
          deviceId: string;
          schoolId: string;
          grant: {
            id: string;
            issuedBy: {
              username: string;
              name?: string;
              role: "teacher" | "leader";
              teacherCode?: string;
            };
            reason: string;
            scope: {
              kind: "lesson";
              lessonUid: string;
              lessonStart: number;
            } | {
              kind: "window";
              start: number;
              end: number;
            };
            allow: {
              categories: Array<"social" | "video" | "camera" | "screen-recording" | "audio-recording">;
              services: Array<string>;
              capture: Array<"camera" | "microphone" | "screen">;
            };
            issuedAt: number;
            expiresAt: number;
            revokedAt?: number;
          };
          articles: Array<string>;
          audience?: {
            kind: "lesson";
          } | {
            kind: "groups";
            groups: Array<string>;
          } | {
            kind: "student";
            studentId: string;
          } | {
            kind: "device";
            deviceId: string;
          };
          signedAt: number;
        };
      };
      restoredFrom: string | null;
    };
    devicesExpected: number;
    restoredFromHostname: string | null;
    consent: {
      registers: Array<{
        register: string;
        article: string;
      }>;
      schoolYear: string;
      studentsWithoutConsent: number;
    };
    devices: Array<{
      deviceId: string;
      hostname: string;
      studentId: string | null;
      studentName: string | null;
      appliedAt: number | null;
      expiredAt: number | null;
      revokedAt: number | null;
      consent: boolean | null;
    }>;
  };
  "GET /api/v1/exceptions/chart": {
    weeks: Array<{
      weekStart: string;
      article: string;
      count: number;
    }>;
  };
  "GET /api/v1/grants": {
    rows: Array<{
      id: string;
      schoolId: string;
      issuedBy: {
        username: string;
        name?: string;
        role: "teacher" | "leader";
        teacherCode?: string;
      };
      reason: string;
      scope: {
        kind: "lesson";
        lessonUid: string;
        lessonStart: number;
      } | {
        kind: "window";
        start: number;
        end: number;
      };
      allow: {
        categories: Array<"social" | "video" | "camera" | "screen-recording" | "audio-recording">;
        services: Array<string>;
        capture: Array<"camera" | "microphone" | "screen">;
      };
      articles: Array<string>;
      groups: Array<string>;
      audience: {
        kind: "lesson";
      } | {
        kind: "groups";
        groups: Array<string>;
      } | {
        kind: "student";
        studentId: string;
      } | {
        kind: "device";
        deviceId: string;
      };
      issuedAt: number;
      startsAt: number;
      expiresAt: number;
      revokedAt: number | null;
      revokedBy: string | null;
      status: "scheduled" | "active" | "expired" | "revoked";
      devicesApplied: number;
    }>;
    total: number;
    limit: number;
    offset: number;
  };
  "POST /api/v1/grants": {
    id: string;
    schoolId: string;
    grant: {
      id: string;
      issuedBy: {
        username: string;
        name?: string;
        role: "teacher" | "leader";
        teacherCode?: string;
      };
      reason: string;
      scope: {
        kind: "lesson";
        lessonUid: string;
        lessonStart: number;
      } | {
        kind: "window";
        start: number;
        end: number;
      };
      allow: {
        categories: Array<"social" | "video" | "camera" | "screen-recording" | "audio-recording">;
        services: Array<string>;
        capture: Array<"camera" | "microphone" | "screen">;
      };
      issuedAt: number;
      expiresAt: number;
      revokedAt?: number;
    };
    articles: Array<string>;
    audience: {
      kind: "lesson";
    } | {
      kind: "groups";
      groups: Array<string>;
    } | {
      kind: "student";
      studentId: string;
    } | {
      kind: "device";
      deviceId: string;
    };
    groups: Array<string>;
    startsAt: number;
    revokedAt: number | null;
    revokedBy: string | null;
    createdAt: number;
    status: "scheduled" | "active" | "expired" | "revoked";
    signed: {
      keyId: string;
      signature: string;
      payload: {
        type: "lesmodus.issued-grant.v1";
        schoolId: string;
        grant: {
          id: string;
          issuedBy: {
            username: string;
            name?: string;
            role: "teacher" | "leader";
            teacherCode?: string;
          };
          reason: string;
          scope: {
            kind: "lesson";
            lessonUid: string;
            lessonStart: number;
          } | {
            kind: "window";
            start: number;
            end: number;
          };
          allow: {
            categories: Array<"social" | "video" | "camera" | "screen-recording" | "audio-recording">;
            services: Array<string>;
            capture: Array<"camera" | "microphone" | "screen">;
          };
          issuedAt: number;
          expiresAt: number;
          revokedAt?: number;
        };
        articles: Array<string>;
        audience: {
          kind: "lesson";
        } | {
          kind: "groups";
          groups: Array<string>;
        } | {
          kind: "student";
          studentId: string;
        } | {
          kind: "device";
          deviceId: string;
        };
      } | {
        type: "lesmodus.device-grant.v1";
        deviceId: string;
        schoolId: string;
        grant: {
          id: string;
          issuedBy: {
            username: string;
            name?: string;
            role: "teacher" | "leader";
            teacherCode?: string;
          };
          reason: string;
          scope: {
            kind: "lesson";
            lessonUid: string;
            lessonStart: number;
          } | {
            kind: "window";
            start: number;
            end: number;
          };
          allow: {
            categories: Array<"social" | "video" | "camera" | "screen-recording" | "audio-recording">;
            services: Array<string>;
            capture: Array<"camera" | "microphone" | "screen">;
          };
          issuedAt: number;
          expiresAt: number;
          revokedAt?: number;
        };
        articles: Array<string>;
        audience?: {
          kind: "lesson";
        } | {
          kind: "groups";
          groups: Array<string>;
        } | {
          kind: "student";
          studentId: string;
        } | {
          kind: "device";
          deviceId: string;
        };
        signedAt: number;
      };
    };
    restoredFrom: string | null;
  };
  "GET /api/v1/grants/:id": {
    grant: {
      id: string;
      schoolId: string;
      grant: {
        id: string;
        issuedBy: {
          username: string;
          name?: string;
          role: "teacher" | "leader";
          teacherCode?: string;
        };
        reason: string;
        scope: {
          kind: "lesson";
          lessonUid: string;
          lessonStart: number;
        } | {
          kind: "window";
          start: number;
          end: number;
        };
        allow: {
          categories: Array<"social" | "video" | "camera" | "screen-recording" | "audio-recording">;
          services: Array<string>;
          capture: Array<"camera" | "microphone" | "screen">;
        };
        issuedAt: number;
        expiresAt: number;
        revokedAt?: number;
      };
      articles: Array<string>;
      audience: {
        kind: "lesson";
      } | {
        kind: "groups";
        groups: Array<string>;
      } | {
        kind: "student";
        studentId: string;
      } | {
        kind: "device";
        deviceId: string;
      };
      groups: Array<string>;
      startsAt: number;
      revokedAt: number | null;
      revokedBy: string | null;
      createdAt: number;
      status: "scheduled" | "active" | "expired" | "revoked";
      signed: {
        keyId: string;
        signature: string;
        payload: {
          type: "lesmodus.issued-grant.v1";
          schoolId: string;
          grant: {
            id: string;
            issuedBy: {
              username: string;
              name?: string;
              role: "teacher" | "leader";
              teacherCode?: string;
            };
            reason: string;
            scope: {
              kind: "lesson";
              lessonUid: string;
              lessonStart: number;
            } | {
              kind: "window";
              start: number;
              end: number;
            };
            allow: {
              categories: Array<"social" | "video" | "camera" | "screen-recording" | "audio-recording">;
              services: Array<string>;
              capture: Array<"camera" | "microphone" | "screen">;
            };
            issuedAt: number;
            expiresAt: number;
            revokedAt?: number;
          };
          articles: Array<string>;
          audience: {
            kind: "lesson";
          } | {
            kind: "groups";
            groups: Array<string>;
          } | {
            kind: "student";
            studentId: string;
          } | {
            kind: "device";
            deviceId: string;
          };
        } | {
          type: "lesmodus.device-grant.v1";
          deviceId: string;
          schoolId: string;
          grant: {
            id: string;
            issuedBy: {
              username: string;
              name?: string;
              role: "teacher" | "leader";
              teacherCode?: string;
            };
            reason: string;
            scope: {
              kind: "lesson";
              lessonUid: string;
              lessonStart: number;
            } | {
              kind: "window";
              start: number;
              end: number;
            };
            allow: {
              categories: Array<"social" | "video" | "camera" | "screen-recording" | "audio-recording">;
              services: Array<string>;
              capture: Array<"camera" | "microphone" | "screen">;
            };
            issuedAt: number;
            expiresAt: number;
            revokedAt?: number;
          };
          articles: Array<string>;
          audience?: {
            kind: "lesson";
          } | {
            kind: "groups";
            groups: Array<string>;
          } | {
            kind: "student";
            studentId: string;
          } | {
            kind: "device";
            deviceId: string;
          };
          signedAt: number;
        };
      };
      restoredFrom: string | null;
    };
    devicesExpected: number;
    devicesApplied: number;
    studentsWithoutConsent: number;
  };
  "POST /api/v1/grants/:id/revoke": {
    id: string;
    schoolId: string;
    grant: {
      id: string;
      issuedBy: {
        username: string;
        name?: string;
        role: "teacher" | "leader";
        teacherCode?: string;
      };
      reason: string;
      scope: {
        kind: "lesson";
        lessonUid: string;
        lessonStart: number;
      } | {
        kind: "window";
        start: number;
        end: number;
      };
      allow: {
        categories: Array<"social" | "video" | "camera" | "screen-recording" | "audio-recording">;
        services: Array<string>;
        capture: Array<"camera" | "microphone" | "screen">;
      };
      issuedAt: number;
      expiresAt: number;
      revokedAt?: number;
    };
    articles: Array<string>;
    audience: {
      kind: "lesson";
    } | {
      kind: "groups";
      groups: Array<string>;
    } | {
      kind: "student";
      studentId: string;
    } | {
      kind: "device";
      deviceId: string;
    };
    groups: Array<string>;
    startsAt: number;
    revokedAt: number | null;
    revokedBy: string | null;
    createdAt: number;
    status: "scheduled" | "active" | "expired" | "revoked";
    signed: {
      keyId: string;
      signature: string;
      payload: {
        type: "lesmodus.issued-grant.v1";
        schoolId: string;
        grant: {
          id: string;
          issuedBy: {
            username: string;
            name?: string;
            role: "teacher" | "leader";
            teacherCode?: string;
          };
          reason: string;
          scope: {
            kind: "lesson";
            lessonUid: string;
            lessonStart: number;
          } | {
            kind: "window";
            start: number;
            end: number;
          };
          allow: {
            categories: Array<"social" | "video" | "camera" | "screen-recording" | "audio-recording">;
            services: Array<string>;
            capture: Array<"camera" | "microphone" | "screen">;
          };
          issuedAt: number;
          expiresAt: number;
          revokedAt?: number;
        };
        articles: Array<string>;
        audience: {
          kind: "lesson";
        } | {
          kind: "groups";
          groups: Array<string>;
        } | {
          kind: "student";
          studentId: string;
        } | {
          kind: "device";
          deviceId: string;
        };
      } | {
        type: "lesmodus.device-grant.v1";
        deviceId: string;
        schoolId: string;
        grant: {
          id: string;
          issuedBy: {
            username: string;
            name?: string;
            role: "teacher" | "leader";
            teacherCode?: string;
          };
          reason: string;
          scope: {
            kind: "lesson";
            lessonUid: string;
            lessonStart: number;
          } | {
            kind: "window";
            start: number;
            end: number;
          };
          allow: {
            categories: Array<"social" | "video" | "camera" | "screen-recording" | "audio-recording">;
            services: Array<string>;
            capture: Array<"camera" | "microphone" | "screen">;
          };
          issuedAt: number;
          expiresAt: number;
          revokedAt?: number;
        };
        articles: Array<string>;
        audience?: {
          kind: "lesson";
        } | {
          kind: "groups";
          groups: Array<string>;
        } | {
          kind: "student";
          studentId: string;
        } | {
          kind: "device";
          deviceId: string;
        };
        signedAt: number;
      };
    };
    restoredFrom: string | null;
  };
  "GET /api/v1/groups": {
    groups: Array<{
      schoolId: string;
      code: string;
      name: string | null;
    }>;
  };
  "GET /api/v1/groups/:code/students": {
    students: Array<{
      schoolId: string;
      id: string;
      name: string | null;
      loginName: string | null;
    }>;
  };
  "GET /api/v1/lessons": {
    date: string;
    now: number;
    schoolId: string;
    timeZone: string;
    schoolYear: string;
    lessons: Array<{
      uid: string;
      start: number;
      end: number;
      subject: string | null;
      groups: Array<string>;
      teachers: Array<string>;
      location: string | null;
      cancelled: boolean;
      online: boolean;
      studentsWithoutConsent: {
        [key: string]: number;
      };
    }>;
  };
  "GET /api/v1/me": {
    user: {
      username: string;
      role: "admin" | "leader" | "teacher";
      displayName: string | null;
      teacherCode: string | null;
      schoolId: string | null;
      createdAt: number;
    };
    csrfToken: string;
    expiresAt: number;
  };
  "GET /api/v1/openapi.json": {
    [key: string]: unknown;
  };
  "GET /api/v1/policy": {
    name: string;
    version: string;
    rules: Array<{
      id: string;
      article: string;
      title: {
        nl: string;
        en: string;
      };
      categories: Array<"social" | "video" | "camera" | "screen-recording" | "audio-recording">;
      capture: Array<"camera" | "microphone" | "screen">;
      consentRegister: string | null;
    }>;
    grantable: Array<"social" | "video" | "camera" | "screen-recording" | "audio-recording">;
    recording: Array<"social" | "video" | "camera" | "screen-recording" | "audio-recording">;
    serviceNames: {
      [key: string]: string;
    };
    exceptionArticles: Array<string>;
    exceptionStatuses: Array<"scheduled" | "active" | "expired" | "revoked">;
    accountRoles: Array<"admin" | "leader" | "teacher">;
    minPasswordLength: number;
  };
  "PUT /api/v1/roster": {
    students: number;
    groups: number;
  };
  "POST /api/v1/roster/import": {
    ok: boolean;
    stored: boolean;
    source: "magister" | "somtoday" | null;
    lines: number;
    errors: Array<{
      line: number;
      message: {
        nl: string;
        en: string;
      };
    }>;
    students: number;
    groups: number;
    changes: {
      newStudents: number;
      changedStudents: number;
      unchangedStudents: number;
      groupsAdded: Array<string>;
      groupsRemoved: Array<string>;
    } | null;
    preview: Array<{
      id: string;
      name: string | null;
      loginName: string | null;
      groups: Array<string>;
    }>;
  };
  "GET /api/v1/schools": {
    schools: Array<{
      id: string;
      name: string;
      timeZone: string;
    }>;
  };
  "PUT /api/v1/schools/:id": {
    id: string;
    name: string;
    timeZone: string;
  };
  "GET /api/v1/schools/:id/device-rules": {
    rules: Array<{
      kind: string;
      value: string;
      studentId: string | null;
      recordedAt: string;
    }>;
  };
  "PUT /api/v1/schools/:id/device-rules": {
    rules: number;
  };
  "GET /api/v1/server-key": {
    algorithm: "Ed25519";
    keyId: string;
    publicKeyPem: string;
  };
  "POST /api/v1/session": {
    user: {
      username: string;
      role: "admin" | "leader" | "teacher";
      displayName: string | null;
      teacherCode: string | null;
      schoolId: string | null;
      createdAt: number;
    };
    csrfToken: string;
    expiresAt: number;
  };
  "POST /api/v1/timetable": {
    from: number;
    to: number;
    added: number;
    removed: number;
    skipped: number;
    warnings: Array<{
      event: string | null;
      message: string;
    }>;
  };
  "GET /api/v1/timetable/feed": {
    feed: {
      schoolId: string;
      source: string;
      expression: string;
      last: {
        at: number;
        ok: boolean;
        lessons: number;
        message: string;
      } | null;
    } | null;
  };
  "POST /api/v1/timetable/feed/refresh": {
    at: number;
    ok: boolean;
    lessons: number;
    message: string;
  };
  "GET /api/v1/unlock-code": {
    code: string;
    validUntil: number;
  };
  "GET /api/v1/users": {
    users: Array<{
      username: string;
      role: "admin" | "leader" | "teacher";
      displayName: string | null;
      teacherCode: string | null;
      schoolId: string | null;
      createdAt: number;
    }>;
  };
  "POST /api/v1/users": {
    username: string;
    role: "admin" | "leader" | "teacher";
    displayName: string | null;
    teacherCode: string | null;
    schoolId: string | null;
    createdAt: number;
  };
  "GET /healthz": {
    status: "ok";
    version: string;
    database: "sqlite" | "postgres";
    liveConnections: number;
  };
}

export interface ApiBodies {
  "POST /api/v1/consents": {
    schoolId?: string;
    replace?: boolean;
    consents: Array<{
      studentId: string;
      register?: string;
      schoolYear?: string;
      givenBy: "student" | "parent";
      registeredAt?: number;
    }>;
  };
  "POST /api/v1/consents/withdraw": {
    schoolId?: string;
    studentId: string;
    register?: string;
    schoolYear?: string;
  };
  "POST /api/v1/device-rules/import": {
    schoolId?: string;
    dryRun?: boolean;
    csv: string;
  };
  "POST /api/v1/device/events": {
    events: Array<unknown>;
  };
  "POST /api/v1/device/grants/restore": {
    grants: Array<unknown>;
  };
  "POST /api/v1/device/heartbeat": {
    sentAt?: number;
    report?: {
      hostname: string;
      serial?: string | null;
      os: "win32" | "darwin" | "linux";
      agentVersion: string;
      loginName?: string | null;
    };
  };
  "POST /api/v1/device/unlock": {
    code: string;
    allow: {
      categories?: Array<"social" | "video" | "camera" | "screen-recording" | "audio-recording">;
      services?: Array<string>;
      capture?: Array<"camera" | "microphone" | "screen">;
    };
    reason: string;
    expiresAt?: number;
  };
  "POST /api/v1/devices/:id/assign": {
    student: {
      schoolId: string;
      studentId: string;
    } | null;
  };
  "POST /api/v1/devices/enroll": {
    hostname: string;
    serial?: string | null;
    os: "win32" | "darwin" | "linux";
    agentVersion: string;
    loginName?: string | null;
    enrollmentSecret: string;
    enrollmentKey?: string;
  };
  "POST /api/v1/enrollment-secrets": {
    schoolId?: string;
  };
  "POST /api/v1/grants": {
    schoolId?: string;
    scope: {
      kind: "lesson";
      lessonUid: string;
      lessonStart: number;
    } | {
      kind: "window";
      start: number;
      end: number;
    };
    audience?: {
      kind: "lesson";
    } | {
      kind: "groups";
      groups: Array<string>;
    } | {
      kind: "student";
      studentId: string;
    } | {
      kind: "device";
      deviceId: string;
    };
    allow: {
      categories?: Array<"social" | "video" | "camera" | "screen-recording" | "audio-recording">;
      services?: Array<string>;
      capture?: Array<"camera" | "microphone" | "screen">;
    };
    reason: string;
    expiresAt?: number;
  };
  "POST /api/v1/grants/:id/revoke": Record<string, unknown>;
  "PUT /api/v1/roster": {
    schoolId: string;
    students: Array<{
      id: string;
      name?: string | null;
      loginName?: string | null;
    }>;
    groups: Array<{
      code: string;
      name?: string | null;
      studentIds: Array<string>;
    }>;
  };
  "POST /api/v1/roster/import": {
    schoolId?: string;
    format?: "auto" | "magister" | "somtoday";
    dryRun?: boolean;
    csv: string;
  };
  "PUT /api/v1/schools/:id": {
    name: string;
    timeZone: string;
  };
  "PUT /api/v1/schools/:id/device-rules": {
    rules: Array<{
      kind: "serial" | "hostname" | "hostname-pattern";
      value: string;
      studentId?: string | null;
    }>;
  };
  "POST /api/v1/session": {
    username: string;
    password: string;
  };
  "POST /api/v1/timetable": {
    schoolId?: string;
    ics: string;
    from?: string;
    to?: string;
  };
  "POST /api/v1/timetable/feed/refresh": {
    schoolId?: string;
  };
  "POST /api/v1/users": {
    username: string;
    role: "admin" | "leader" | "teacher";
    password: string;
    displayName?: string | null;
    teacherCode?: string | null;
    schoolId?: string | null;
  };
}

export type ApiReply<K extends keyof ApiReplies> = ApiReplies[K];
export type ApiBody<K extends keyof ApiBodies> = ApiBodies[K];
