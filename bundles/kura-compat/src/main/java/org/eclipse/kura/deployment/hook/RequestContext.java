package org.eclipse.kura.deployment.hook;

/** What Kura tells a {@link DeploymentHook} about the request: the downloaded file and the request type. */
public class RequestContext {
    private final String downloadFilePath;
    private final String requestType;

    /**
     * @param downloadFilePath where the downloaded file is
     * @param requestType the request's {@code request.type} metric
     */
    public RequestContext(String downloadFilePath, String requestType) {
        this.downloadFilePath = downloadFilePath;
        this.requestType = requestType;
    }

    /** @return where the downloaded file is */
    public String getDownloadFilePath() {
        return downloadFilePath;
    }

    /** @return the request's {@code request.type} metric */
    public String getRequestType() {
        return requestType;
    }
}
