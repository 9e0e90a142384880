/* The kubeconfig reader and the endpoint built from each context. */
#include "fuzz.h"

#include "../../api/kubeconfig.h"

int fuzz_kubeconfig(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(data, size);
    struct kubeconfig kc;
    char err[512];
    if (!path || kubeconfig_load(&kc, path, err, sizeof(err)) < 0)
        return 0;
    for (size_t i = 0; i <= kc.context_count; i++) {
        const char *name = i < kc.context_count ? kc.contexts[i].name : NULL;
        struct kube_endpoint ep;
        if (kubeconfig_endpoint(&kc, name, &ep, err, sizeof(err)) == 0)
            kube_endpoint_cleanup(&ep);
    }
    kubeconfig_free(&kc);
    return 0;
}
